import XCTest

@testable import KefuCore

/// Header sections, RFC 2047 encoded words, parameters and addresses as mail clients write them.
final class MailHeaderTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testFoldedHeadersAreUnfoldedAndNamesMatchWithoutCase() {
        let headers = MailHeaders(bytes("Subject: a long\r\n\tsubject\r\n  continued\r\nX-Empty:\r\nbroken line\r\nFROM: a@b.example\r\n"))
        XCTAssertEqual(headers["subject"], "a long\tsubject  continued")
        XCTAssertEqual(headers["From"], "a@b.example")
        XCTAssertEqual(headers["X-Empty"], "")
        XCTAssertEqual(headers.fields.count, 3, "a line without a colon is skipped")
    }

    func testRawEightBitHeadersAreReadAsUTF8OrElseGB18030() {
        XCTAssertEqual(MailHeaders(bytes("Subject: 你好\r\n"))["Subject"], "你好")
        let gbk: [UInt8] = Array("Subject: ".utf8) + [0xC4, 0xE3, 0xBA, 0xC3] + [0x0D, 0x0A]
        XCTAssertEqual(MailHeaders(gbk)["Subject"], "你好")
    }

    func testEncodedWordsInBAndQWithAnyCharset() {
        XCTAssertEqual(EncodedWords.decode("=?UTF-8?B?5L2g5aW9?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?q?caf=C3=A9_au_lait?="), "café au lait")
        XCTAssertEqual(EncodedWords.decode("=?gb2312?B?xOO6ww==?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?GBK?Q?=C4=E3=BA=C3?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?big5?B?p0Gmbg==?="), "你好")
        XCTAssertEqual(EncodedWords.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard")
        XCTAssertEqual(EncodedWords.decode("=?utf-8*zh?B?5L2g5aW9?="), "你好", "RFC 2231 language suffix")
    }

    func testAdjacentEncodedWordsAreJoinedEvenInsideACharacter() {
        // 你好 in GBK is C4 E3 BA C3; the second word starts inside 好.
        let split = "=?GBK?B?xOO6?=\r\n =?GBK?B?ww==?="
        XCTAssertEqual(EncodedWords.decode(MailHeaders(bytes("Subject: \(split)\r\n"))["Subject"] ?? ""), "你好")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?B?5L2g?= =?utf-8?B?5aW9?="), "你好", "whitespace between words is dropped")
        XCTAssertEqual(EncodedWords.decode("Re: =?utf-8?B?5L2g?= and =?utf-8?B?5aW9?="), "Re: 你 and 好")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?B?5L2g?= =?gbk?B?usM=?="), "你好", "different charsets decode apart")
    }

    func testMalformedEncodedWordsStayAsWritten() {
        XCTAssertEqual(EncodedWords.decode("=?utf-8?X?abc?="), "=?utf-8?X?abc?=")
        XCTAssertEqual(EncodedWords.decode("price =? 5"), "price =? 5")
        XCTAssertEqual(EncodedWords.decode("=?utf-8?B?5L2g"), "=?utf-8?B?5L2g")
    }

    func testParametersAreUnquotedAndDecoded() {
        let type = HeaderValue("multipart/Mixed;\tboundary=\"----=_Part;1\"; charset=GBK")
        XCTAssertEqual(type.value, "multipart/mixed")
        XCTAssertEqual(type.parameters["boundary"], "----=_Part;1")
        XCTAssertEqual(type.parameters["charset"], "GBK")
        XCTAssertEqual(HeaderValue("attachment; filename=\"=?gb2312?B?vdjNvC5wbmc=?=\"").parameters["filename"], "截图.png")
        XCTAssertEqual(HeaderValue("attachment; filename*=utf-8''%E6%88%AA%E5%9B%BE.png").parameters["filename"], "截图.png")
        XCTAssertEqual(
            HeaderValue("attachment; filename*0*=utf-8''%E6%88%AA; filename*1*=%E5%9B%BE; filename*2=.png").parameters["filename"],
            "截图.png",
            "RFC 2231 continuations"
        )
        XCTAssertEqual(HeaderValue("inline; filename=\"a \\\"b\\\".txt\"").parameters["filename"], "a \"b\".txt")
    }

    func testAddressesWithDisplayNamesQuotedEncodedAndBare() {
        XCTAssertEqual(MailAddress.first("\"Chen, Jing\" <Chen.Jing@Example.com>"), MailAddress(address: "chen.jing@example.com", name: "Chen, Jing"))
        XCTAssertEqual(MailAddress.first("=?GBK?B?s8K+sg==?= <cj@foxmail.com>"), MailAddress(address: "cj@foxmail.com", name: "陈静"))
        XCTAssertEqual(MailAddress.first("\"=?utf-8?B?6ZmI6Z2Z?=\" <cj@qq.com>"), MailAddress(address: "cj@qq.com", name: "陈静"))
        XCTAssertEqual(MailAddress.first("anna@gmail.com (Anna Schmidt)"), MailAddress(address: "anna@gmail.com", name: "Anna Schmidt"))
        XCTAssertEqual(MailAddress.first("<anna@gmail.com>"), MailAddress(address: "anna@gmail.com"))
        XCTAssertEqual(MailAddress.first("anna@gmail.com"), MailAddress(address: "anna@gmail.com"))
        XCTAssertEqual(MailAddress.first("\"anna@gmail.com\" <anna@gmail.com>"), MailAddress(address: "anna@gmail.com"))
        XCTAssertEqual(MailAddress.list("a@x.example, \"B, b\" <b@y.example>").map(\.address), ["a@x.example", "b@y.example"])
        XCTAssertEqual(MailAddress.first("Team: a@x.example, b@y.example;")?.address, "a@x.example")
        XCTAssertNil(MailAddress.first("undisclosed-recipients:;"))
        XCTAssertNil(MailAddress.first("no address here"))
    }

    func testMessageIDsWithAndWithoutBrackets() {
        XCTAssertEqual(MessageIDs.parse("<a@x> <b@y>\r\n <c@z>"), ["a@x", "b@y", "c@z"])
        XCTAssertEqual(MessageIDs.parse("a@x"), ["a@x"])
        XCTAssertEqual(MessageIDs.parse(nil), [])
        XCTAssertEqual(MessageIDs.parse("<\(String(repeating: "a", count: 999))@x>"), [], "over 998 characters is dropped")
    }
}
