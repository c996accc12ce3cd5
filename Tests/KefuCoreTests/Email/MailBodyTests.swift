import XCTest

@testable import KefuCore

/// Transfer encodings, charsets, MIME structure, the text chosen and attachments kept.
final class MailBodyTests: XCTestCase {
    private func message(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    func testQuotedPrintableSoftBreaksAndStrayEquals() {
        let decoded = TransferEncoding.quotedPrintable(Array("caf=C3=A9 =\r\nau lait=\nx = 1 =3d =zz=".utf8))
        XCTAssertEqual(String(decoding: decoded, as: UTF8.self), "café au laitx = 1 = =zz")
        XCTAssertEqual(TransferEncoding.quotedPrintable(Array("a_b".utf8), underscoreIsSpace: true), Array("a b".utf8))
    }

    func testBase64SkipsLineBreaksAndJunk() {
        XCTAssertEqual(String(decoding: TransferEncoding.base64(Array("5L2g\r\n5aW9 !".utf8)), as: UTF8.self), "你好")
        XCTAssertEqual(String(decoding: TransferEncoding.base64(Array("YWJj".utf8)), as: UTF8.self), "abc")
        XCTAssertEqual(String(decoding: TransferEncoding.base64(Array("YWI=".utf8)), as: UTF8.self), "ab")
        XCTAssertEqual(TransferEncoding.decode(Array("raw".utf8), encoding: "8bit"), Array("raw".utf8))
    }

    func testCharsetsChineseMailUses() {
        XCTAssertEqual(MailCharset.decode([0xC4, 0xE3, 0xBA, 0xC3], charset: "gb2312"), "你好")
        XCTAssertEqual(MailCharset.decode([0xC4, 0xE3, 0xBA, 0xC3], charset: "GBK"), "你好")
        XCTAssertEqual(MailCharset.decode([0x95, 0x34, 0xB2, 0x35], charset: "gb18030"), "𠮷", "four-byte GB18030")
        XCTAssertEqual(MailCharset.decode([0xA7, 0x41, 0xA6, 0x6E], charset: "big5"), "你好")
        XCTAssertEqual(MailCharset.decode([0x63, 0x61, 0x66, 0xE9], charset: "iso-8859-1"), "café")
        XCTAssertEqual(MailCharset.decode([0x80], charset: "windows-1252"), "€")
        XCTAssertEqual(MailCharset.decode(Array("plain".utf8), charset: nil), "plain")
        XCTAssertEqual(MailCharset.decode(Array("你好".utf8), charset: "x-unknown-charset"), "你好", "unknown charsets read as UTF-8")
        XCTAssertEqual(MailCharset.decode([0xC4, 0xE3, 0xFF, 0xBA, 0xC3], charset: "gbk"), "你\u{FFFD}好", "a bad byte becomes U+FFFD")
    }

    func testNestedMultipartPrefersPlainTextAndKeepsAttachments() {
        let email = InboundEmail(
            message([
                "From: a@x.example", "Message-ID: <m1@x.example>", "Content-Type: multipart/mixed; boundary=outer", "",
                "preamble", "--outer", "Content-Type: multipart/related; boundary=\"rel\"", "",
                "--rel", "Content-Type: multipart/alternative; boundary=alt", "",
                "--alt", "Content-Type: text/plain; charset=gbk", "Content-Transfer-Encoding: base64", "", "xOO6ww==",
                "--alt", "Content-Type: text/html; charset=utf-8", "", "<p>HTML version</p>", "--alt--",
                "--rel", "Content-Type: image/png", "Content-ID: <img1>", "Content-Transfer-Encoding: base64", "", "AAEC", "--rel--",
                "--outer", "Content-Type: application/pdf; name=\"invoice.pdf\"", "Content-Transfer-Encoding: base64", "", "JVBERi0=",
                "--outer--", "epilogue",
            ])
        )
        XCTAssertEqual(email.text, "你好")
        XCTAssertEqual(email.attachments.map(\.filename), ["attachment-1", "invoice.pdf"])
        XCTAssertEqual(email.attachments.map(\.contentType), ["image/png", "application/pdf"])
        XCTAssertEqual(email.attachments.map(\.size), [3, 5])
        XCTAssertEqual(email.attachments[1].sha256, "38523c087796e5d5dd1cf9bad1fb026781a838dd9dd2cf8af58b9f6502a46778", "SHA-256 of %PDF-")
        XCTAssertEqual(email.attachments[0].sha256, "ae4b3280e56e2faf83f414a6e3dabe9d5fbe18976544c05fed121accb85b53fc", "SHA-256 of 00 01 02")
    }

    func testHTMLIsTheFallbackTurnedIntoText() {
        let email = InboundEmail(
            message([
                "From: a@x.example", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
                "<html><head><style>p{color:red}</style></head><body><p>Hello &amp; welcome</p><div>line&nbsp;two<br>three</div>",
                "<ul><li>one</li><li>two</li></ul><blockquote>&gt; quoted =E4=BD=A0</blockquote><script>alert(1)</script></body></html>",
            ])
        )
        XCTAssertEqual(email.text, "Hello & welcome\n\nline two\nthree\n\n- one\n- two\n\n> quoted 你")
    }

    func testInlineTextPartsOfAMixedMessageAreJoinedAndQuotesKept() {
        let email = InboundEmail(
            message([
                "From: a@x.example", "Content-Type: multipart/mixed; boundary=b", "",
                "--b", "Content-Type: text/plain", "", "first\r\n> quoted reply", "--b", "Content-Type: image/jpeg; name=a.jpg", "", "xx",
                "--b", "Content-Type: text/plain; charset=utf-8", "Content-Disposition: inline", "", "second", "--b--",
            ])
        )
        XCTAssertEqual(email.text, "first\n> quoted reply\n\nsecond")
        XCTAssertEqual(email.attachments.map(\.filename), ["a.jpg"])
    }

    func testAttachmentsOverTheLimitsAreListedAsDropped() {
        var lines = ["From: a@x.example", "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "text"]
        for index in 1...4 {
            lines += ["--b", "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=f\(index).bin", ""]
            lines.append(String(repeating: "x", count: index == 2 ? 50 : 5))
        }
        lines.append("--b--")
        let email = InboundEmail(message(lines), limits: EmailAttachmentLimits(maximumCount: 2, maximumBytes: 10))
        XCTAssertEqual(email.text, "text")
        XCTAssertEqual(email.attachments.map(\.filename), ["f1.bin", "f3.bin"])
        XCTAssertEqual(email.dropped.map(\.filename), ["f2.bin", "f4.bin"])
        XCTAssertEqual(email.dropped.map(\.reason), ["too_large", "too_many"])
        XCTAssertEqual(email.dropped.map(\.size), [50, 5])
    }

    func testAnswersAreInReplyToThenReferencesNewestFirst() {
        let email = InboundEmail(
            message(["From: a@x.example", "In-Reply-To: <c@x>", "References: <a@x> <b@x>\r\n <c@x>", "Message-ID: <d@x>", "", "hi"])
        )
        XCTAssertEqual(email.messageID, "d@x")
        XCTAssertEqual(email.answers, ["c@x", "b@x", "a@x"])
    }

    func testATruncatedMultipartKeepsWhatArrivedAndNestingIsBounded() {
        let truncated = InboundEmail(message(["From: a@x.example", "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "partial text"]))
        XCTAssertEqual(truncated.text, "partial text")
        var deep = ["From: a@x.example", "Content-Type: multipart/mixed; boundary=b0", ""]
        for level in 0..<50 { deep += ["--b\(level)", "Content-Type: multipart/mixed; boundary=b\(level + 1)", ""] }
        deep += ["--b50", "", "deep"]
        let email = InboundEmail(message(deep))
        XCTAssertEqual(email.text, "", "nothing below the depth limit is read, and nothing crashes")
    }

    func testLoopRules() {
        func rule(_ headers: [String], own: Set<String> = []) -> EmailLoopRule? {
            EmailLoopRule.match(InboundEmail(message(headers + ["", "body"])), ownAddresses: own)
        }
        XCTAssertNil(rule(["From: a@x.example", "Auto-Submitted: no", "Precedence: first-class"]))
        XCTAssertEqual(rule(["From: a@x.example", "Return-Path: < >"]), .bounce)
        XCTAssertEqual(rule(["From: MAILER-DAEMON@mx.example"]), .bounce)
        XCTAssertEqual(rule(["From: a@x.example", "Content-Type: multipart/report; report-type=delivery-status; boundary=x"]), .deliveryReport)
        XCTAssertEqual(rule(["From: a@x.example", "Auto-Submitted: auto-replied"]), .autoSubmitted)
        XCTAssertEqual(rule(["From: a@x.example", "X-Autoreply: yes"]), .autoReply)
        XCTAssertEqual(rule(["From: a@x.example", "X-Autorespond: vacation"]), .autoReply)
        for precedence in ["bulk", "Junk", "list"] { XCTAssertEqual(rule(["From: a@x.example", "Precedence: \(precedence)"]), .bulk) }
        XCTAssertEqual(rule(["From: Support <Support@Acme.example>"], own: ["support@acme.example"]), .ownAddress)
        XCTAssertEqual(rule(["From: a@x.example", "Message-ID: <kefu.7d0c4a9e-3b9a-4c47-9d59-1d4f2b8e6a11@acme.example>"]), .ownMessage)
    }

    func testThreadingReferencesAndSubjectNumbers() {
        let id = UUID()
        XCTAssertEqual(EmailThreading.kefuReference("kefu.\(id.uuidString.lowercased())@mail.example")?.1, id)
        XCTAssertEqual(EmailThreading.kefuReference("kefu.ticket.\(id.uuidString)@mail.example")?.0, "ticket")
        XCTAssertNil(EmailThreading.kefuReference("kefu.not-a-uuid@mail.example"))
        XCTAssertEqual(EmailThreading.subjectNumber("Re: [T-000123] 付款问题"), 123)
        XCTAssertEqual(EmailThreading.subjectNumber("[T-1234567] big"), 1_234_567)
        XCTAssertNil(EmailThreading.subjectNumber("T-000123 without brackets"))
        XCTAssertNil(EmailThreading.subjectNumber("[T-9999999999999999999] too long"))
    }

    func testStorableTextDropsControlsAndIsCut() {
        XCTAssertEqual(InboundEmailService.storable(" a\u{0}b\u{7}\tc\nd ", limit: 100), "ab\tc\nd")
        let long = InboundEmailService.storable(String(repeating: "字", count: 300), limit: 200)
        XCTAssertEqual(long.unicodeScalars.count, 200)
        XCTAssertTrue(long.hasSuffix(InboundEmailService.truncationNote))
    }
}
