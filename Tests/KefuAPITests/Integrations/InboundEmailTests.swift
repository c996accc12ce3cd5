import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Email in through the API against PostgreSQL: real messages as Foxmail, QQ Mail, Outlook,
/// Gmail and Apple Mail write them (Fixtures/email), threading, idempotency, loops, tokens.
final class InboundEmailTests: TicketTestCase {
    private func fixture(_ name: String, _ replacements: [String: String] = [:]) throws -> String {
        let url = try require(Bundle.module.url(forResource: "Fixtures/email/\(name)", withExtension: "eml"))
        var text = try String(contentsOf: url, encoding: .utf8)
        for (placeholder, value) in replacements { text = text.replacingOccurrences(of: "{\(placeholder)}", with: value) }
        return text
    }

    private func newToken(key caller: String? = nil) async throws -> String {
        let reply = try await withAPI { [key] api in try await api.post("/v1/inbound/email-token", key: caller ?? key, "") }
        XCTAssertEqual(reply.status, .created, reply.raw)
        return try require(reply["token"]?.string)
    }

    private func post(_ message: String, token: String, contentType: String = "message/rfc822") async throws -> APIClient.Reply {
        try await withAPI { api in
            try await api.send(.post, "/v1/inbound/email/\(token)", body: message, headers: ["Content-Type": contentType])
        }
    }

    private func messages(_ ticket: String) async throws -> [JSONValue] {
        let reply = try await get("/v1/tickets/\(ticket)/messages")
        XCTAssertEqual(reply.status, .ok, reply.raw)
        return reply["items"]?.array ?? reply.body.array ?? []
    }

    private func ticketCount(_ tenant: UUID? = nil) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM tickets WHERE tenant_id = \(tenant ?? tenantID)") ?? -1
    }

    /// Opens the Foxmail ticket; answers its id.
    private func foxmailTicket(token: String) async throws -> String {
        let reply = try await post(try fixture("foxmail-gbk"), token: token)
        XCTAssertEqual(reply.status, .created, reply.raw)
        XCTAssertEqual(reply["outcome"]?.string, "created")
        return try require(reply["ticket_id"]?.string)
    }

    func testAGBKMessageFromFoxmailOpensATicketWithItsChineseSubjectAndText() async throws {
        let token = try await newToken()
        XCTAssertTrue(token.hasPrefix("kin_"))
        let reply = try await post(try fixture("foxmail-gbk"), token: token)
        XCTAssertEqual(reply.status, .created, reply.raw)
        XCTAssertEqual(reply["message_id"]?.string, "202611261012013469271@foxmail.com")
        let id = try require(reply["ticket_id"]?.string)

        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["subject"]?.string, "订单12345支付失败，请尽快处理", "two GBK words joined inside a character")
        XCTAssertEqual(ticket["channel"]?.string, "email")
        XCTAssertEqual(ticket["contact"]?.string, "chenjing@foxmail.com")
        let description = try require(ticket["description"]?.string)
        XCTAssertTrue(description.hasPrefix("您好：\n\n我昨天下单（订单号12345）付款时提示“银行卡状态异常”"), description)
        XCTAssertFalse(description.contains("\r"))

        let customer = try await get("/v1/customers/\(try require(ticket["customer_id"]?.string))")
        XCTAssertEqual(customer["name"]?.string, "陈静")
        XCTAssertEqual(customer["contacts"]?.array?.first?["value"]?.string, "chenjing@foxmail.com")

        let stored = try await ownerPool.query(
            "SELECT author_kind, body, email_message_id FROM ticket_messages WHERE tenant_id = \(tenantID) ORDER BY seq"
        )
        let customerMessage = try require(stored.first { (try? $0.decode(String.self, "author_kind")) == "customer" })
        XCTAssertEqual(try customerMessage.decode(String.self, "body"), description)
        XCTAssertEqual(try customerMessage.decode(String?.self, "email_message_id"), "202611261012013469271@foxmail.com")

        // The next mail from the same address is the same customer.
        let big5 = try await post(try fixture("outlook-big5"), token: token)
        XCTAssertEqual(big5.status, .created, big5.raw)
        let second = try await get("/v1/tickets/\(try require(big5["ticket_id"]?.string))")
        XCTAssertEqual(second["subject"]?.string, "帳號無法登入")
        XCTAssertEqual(second["description"]?.string, "您好，我的帳號無法登入，請協助處理。")
        XCTAssertEqual(big5["attachments"]?.array?.first?["filename"]?.string, "錯誤.txt")
    }

    func testAReplyWithTheMailClientsHeadersResumesTheTicketWaitingOnTheCustomer() async throws {
        let token = try await newToken()
        let id = try await foxmailTicket(token: token)
        let agent = try await addAgent("Wang Fang")
        let agentKey = try await keyFor(agent)
        if try await get("/v1/tickets/\(id)")["owner_id"]?.string == nil {
            let taken = try await act(id, "assign", [:], as: agentKey)
            XCTAssertEqual(taken.status, .ok, taken.raw)
        }
        let owner = try await get("/v1/tickets/\(id)")["owner_id"]?.string
        let ownerKey = owner == agent.id.uuidString.lowercased() || owner == agent.id.uuidString ? agentKey : key
        let asked = try await act(id, "request-info", ["body": "请提供付款截图。"], as: ownerKey)
        XCTAssertEqual(asked.status, .ok, asked.raw)
        XCTAssertEqual(asked["status"]?.string, "waiting_on_customer")
        XCTAssertNotNil(asked["sla_paused_at"]?.string)

        clock.advance(by: 3600)
        let reply = try await post(try fixture("applemail-utf8-reply"), token: token)
        XCTAssertEqual(reply.status, .ok, reply.raw)
        XCTAssertEqual(reply["outcome"]?.string, "appended")
        XCTAssertEqual(reply["ticket_id"]?.string, id)
        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["status"]?.string, "in_progress", "the customer's reply resumes the ticket")
        XCTAssertNil(ticket["sla_paused_at"]?.string, ticket.raw)
        let last = try require(try await messages(id).last)
        XCTAssertEqual(last["author_kind"]?.string, "customer")
        let body = try require(last["body"]?.string)
        XCTAssertTrue(body.hasPrefix("谢谢，已经可以付款了 ✅\n\n> 在 2026年11月26日"), "quoted earlier text is kept: \(body)")
        let observed1 = try await ticketCount()
        XCTAssertEqual(observed1, 1)
    }

    func testRepliesToKefusOwnMessageIDsThreadBeforeAnythingElse() async throws {
        let token = try await newToken()
        let id = try await foxmailTicket(token: token)
        let kefuMessage = try require(try await messages(id).first { $0["author_kind"]?.string == "system" }?["id"]?.string)
        let reply = try await post(
            try fixture("outlook-gb2312-reply", ["IN_REPLY_TO": "kefu.\(kefuMessage)@acme.example", "REFERENCES": "unknown@x.example"]),
            token: token
        )
        XCTAssertEqual(reply.status, .ok, reply.raw)
        XCTAssertEqual(reply["outcome"]?.string, "appended")
        XCTAssertEqual(reply["ticket_id"]?.string, id)
        XCTAssertEqual(reply["attachments"]?.array?.first?["filename"]?.string, "image001.png")
        XCTAssertEqual(reply["attachments"]?.array?.first?["size"]?.number, 1032, "the decoded size, not the size= the header claims")
        let body = try require(try await messages(id).last?["body"]?.string)
        XCTAssertTrue(body.hasPrefix("您好，\n\n问题还在：今天上午再次付款仍然失败。\n\n-----原始邮件-----"), body)

        // The ticket form: `kefu.ticket.{id}` in References (In-Reply-To unknown).
        let again = try await post(
            try fixture("outlook-gb2312-reply", ["IN_REPLY_TO": "unknown@x.example", "REFERENCES": "kefu.ticket.\(id)@acme.example"])
                .replacingOccurrences(of: "Message-ID: <TYZPR06MB5274A1B2", with: "Message-ID: <TYZPR06MB5274A1B3"),
            token: token
        )
        XCTAssertEqual(again["outcome"]?.string, "appended", again.raw)
        XCTAssertEqual(again["ticket_id"]?.string, id)
    }

    func testTheSubjectReferenceThreadsOnlyForTheTicketsCustomer() async throws {
        let token = try await newToken()
        let created = try await intake([
            "customer": ["name": "Anna Schmidt", "contacts": [["kind": "email", "value": "Anna.Schmidt@gmail.com", "consent": true]]],
            "channel": "web_form", "category": "inquiry", "subject": "Refund", "description": "Where is my refund?",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        let id = try require(created["id"]?.string)
        let reference = try require(created["reference"]?.string ?? created["number"]?.string)

        let reply = try await post(try fixture("gmail-utf8", ["SUBJECT": "[\(reference)] Refund"]), token: token)
        XCTAssertEqual(reply["outcome"]?.string, "appended", reply.raw)
        XCTAssertEqual(reply["ticket_id"]?.string, id)
        let observed2 = try await messages(id).last?["body"]?.string
        XCTAssertEqual(observed2, "Hi,\n\nStill waiting for the refund for my order 12345.\n\nThanks,\nAnna")

        let stranger = try fixture("gmail-utf8", ["SUBJECT": "[\(reference)] Refund"])
            .replacingOccurrences(of: "From: Anna Schmidt <anna.schmidt@gmail.com>", with: "From: Mallory <mallory@evil.example>")
            .replacingOccurrences(of: "CAJ0x9mF2reply", with: "CAJ0x9mF3other")
        let other = try await post(stranger, token: token)
        XCTAssertEqual(other.status, .created, other.raw)
        XCTAssertNotEqual(other["ticket_id"]?.string, id, "someone else naming the ticket opens their own")
    }

    func testTheSameMessageTwiceIsIgnoredEvenWhenPostedAtOnce() async throws {
        let token = try await newToken()
        let message = try fixture("qqmail-gb18030")
        let replies = try await withAPI(live: true) { api in
            let path = "/v1/inbound/email/\(token)"
            let headers = ["Content-Type": "message/rfc822"]
            async let first = api.send(.post, path, body: message, headers: headers)
            async let second = api.send(.post, path, body: message, headers: headers)
            return try await [first, second]
        }
        XCTAssertEqual(Set(replies.map(\.status)), [.created, .ok], replies.map(\.raw).joined(separator: "\n"))
        let created = try require(replies.first { $0.status == .created })
        let duplicate = try require(replies.first { $0.status == .ok })
        XCTAssertEqual(duplicate["outcome"]?.string, "ignored")
        XCTAssertEqual(duplicate["reason"]?.string, "duplicate")
        XCTAssertEqual(duplicate["ticket_id"]?.string, created["ticket_id"]?.string)
        let observed3 = try await ticketCount()
        XCTAssertEqual(observed3, 1)

        let later = try await post(message, token: token)
        XCTAssertEqual(later["reason"]?.string, "duplicate")
        let observed4 = try await ticketCount()
        XCTAssertEqual(observed4, 1)

        let ticket = try await get("/v1/tickets/\(try require(created["ticket_id"]?.string))")
        XCTAssertEqual(ticket["subject"]?.string, "付款截图")
        XCTAssertEqual(ticket["description"]?.string, "你好，附件是付款失败的截图。𠮷 (GB18030 四字节字)")
        let expected = try String(
            contentsOf: try require(Bundle.module.url(forResource: "Fixtures/email/qqmail-gb18030.attachment", withExtension: "sha256")),
            encoding: .utf8
        ).split(separator: " ")
        let attachment = try require(created["attachments"]?.array?.first)
        XCTAssertEqual(attachment["filename"]?.string, "截图.png")
        XCTAssertEqual(attachment["sha256"]?.string, String(expected[0]))
        XCTAssertEqual(attachment["size"]?.number, Double(expected[1].trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(ticket["attachments"]?.array?.first?.string, "sha256:\(expected[0]) 截图.png")
    }

    func testAutoRepliesAndBouncesNeverCreateTicketsOrMessages() async throws {
        let token = try await newToken()
        let id = try await foxmailTicket(token: token)
        let before = try await messages(id).count
        let autoReply = try await post(try fixture("autoreply-exchange"), token: token)
        XCTAssertEqual(autoReply.status, .ok, autoReply.raw)
        XCTAssertEqual(autoReply["outcome"]?.string, "ignored")
        XCTAssertEqual(autoReply["reason"]?.string, "auto_submitted")
        let bounce = try await post(try fixture("bounce-dsn"), token: token)
        XCTAssertEqual(bounce["reason"]?.string, "bounce", bounce.raw)
        let report = try await post(
            try fixture("bounce-dsn").replacingOccurrences(of: "Return-Path: <>", with: "Return-Path: <mx@contoso.example>")
                .replacingOccurrences(of: "MAILER-DAEMON@", with: "notices@").replacingOccurrences(of: "20261127030000", with: "20261127030001"),
            token: token
        )
        XCTAssertEqual(report["reason"]?.string, "delivery_report", report.raw)
        let vacation = try await post(
            try fixture("applemail-utf8-reply").replacingOccurrences(of: "X-Mailer:", with: "Precedence: bulk\r\nX-Mailer:"),
            token: token
        )
        XCTAssertEqual(vacation["reason"]?.string, "bulk", vacation.raw)
        let observed5 = try await ticketCount()
        XCTAssertEqual(observed5, 1)
        let observed6 = try await messages(id).count
        XCTAssertEqual(observed6, before)
    }

    func testTheTokenIsTenantBound() async throws {
        let created = try await intake([
            "customer": ["name": "Anna Schmidt", "contacts": [["kind": "email", "value": "anna.schmidt@gmail.com", "consent": true]]],
            "channel": "email", "category": "inquiry", "subject": "Refund", "description": "Where is my refund?",
        ])
        let aTicket = try require(created["id"]?.string)
        let reference = try require(created["reference"]?.string ?? created["number"]?.string)
        let aMessages = try await messages(aTicket).count

        let tenantB = try await makeTenant("globex")
        let tokenB = try await newToken(key: tenantB.apiKey)
        let message = try fixture("gmail-utf8", ["SUBJECT": "[\(reference)] Refund"])
            .replacingOccurrences(of: "In-Reply-To: <CAJ0x9mF1example@mail.gmail.com>", with: "In-Reply-To: <kefu.ticket.\(aTicket)@acme.example>")
        let reply = try await post(message, token: tokenB)
        XCTAssertEqual(reply.status, .created, reply.raw)
        XCTAssertNotEqual(reply["ticket_id"]?.string, aTicket)
        let observed7 = try await ticketCount(tenantB.tenant.id)
        XCTAssertEqual(observed7, 1)
        let observed8 = try await messages(aTicket).count
        XCTAssertEqual(observed8, aMessages, "nothing reached tenant A's ticket")
        let observed9 = try await ticketCount()
        XCTAssertEqual(observed9, 1)
    }

    func testARotatedTokenStopsWorkingAndASuspendedTenantIsRefused() async throws {
        let old = try await newToken()
        let new = try await newToken()
        XCTAssertNotEqual(old, new)
        let refused = try await post(try fixture("foxmail-gbk"), token: old)
        XCTAssertEqual(refused.status, .notFound, refused.raw)
        XCTAssertEqual(refused.errorCode, "not_found")
        let observed10 = try await post(try fixture("foxmail-gbk"), token: "kin_" + String(repeating: "x", count: 40)).status
        XCTAssertEqual(observed10, .notFound)
        let observed11 = try await post(try fixture("foxmail-gbk"), token: "short").status
        XCTAssertEqual(observed11, .notFound)
        let observed12 = try await post(try fixture("foxmail-gbk"), token: new).status
        XCTAssertEqual(observed12, .created)

        let agent = try await addAgent("Li Lei")
        let forbidden = try await withAPI { [agentKey = try await keyFor(agent)] api in
            try await api.post("/v1/inbound/email-token", key: agentKey, "")
        }
        XCTAssertEqual(forbidden.status, .forbidden, "only admins create tokens")

        _ = try await TenantAdminService(ownerPool: ownerPool).setStatus(slug: "acme", .suspended)
        let suspended = try await post(try fixture("outlook-big5"), token: new)
        XCTAssertEqual(suspended.status, .forbidden, suspended.raw)
        XCTAssertEqual(suspended.errorCode, "tenant_suspended")
    }

    func testInvalidAndOversizedInputIsAClearClientError() async throws {
        let token = try await newToken()
        let json = try await post("{\"from\": \"a@b.example\"}", token: token, contentType: "application/json")
        XCTAssertEqual(json.status, .unsupportedMediaType, json.raw)
        let empty = try await withAPI { api in
            try await api.send(.post, "/v1/inbound/email/\(token)", headers: ["Content-Type": "message/rfc822"])
        }
        XCTAssertEqual(empty.status, .unprocessableContent, empty.raw)
        XCTAssertEqual(empty.errorField, "body")
        let noHeaders = try await post("just some text without any header\r\n", token: token, contentType: "text/plain")
        XCTAssertEqual(noHeaders.status, .unprocessableContent, noHeaders.raw)
        XCTAssertEqual(noHeaders.errorField, "body")
        let noSender = try await post("Subject: hello\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n", token: token, contentType: "application/octet-stream")
        XCTAssertEqual(noSender.status, .unprocessableContent, noSender.raw)
        XCTAssertEqual(noSender.errorField, "From")
        let large = try fixture("qqmail-gb18030")
        let oversized = try await withAPI(maxBodyBytes: 2048) { api in
            try await api.send(.post, "/v1/inbound/email/\(token)", body: large, headers: ["Content-Type": "message/rfc822"])
        }
        XCTAssertEqual(oversized.status, .contentTooLarge, oversized.raw)
        let observed13 = try await ticketCount()
        XCTAssertEqual(observed13, 0, "nothing half-written")
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM inbound_emails")
        XCTAssertEqual(stored, 0)
    }

    func testAMessageWithoutMessageIDIsKeyedByItsContent() async throws {
        let token = try await newToken()
        let message = "From: Zhang San <zhang@example.com>\r\nSubject: =?utf-8?B?5L2g5aW9?=\r\n\r\nhello\r\n"
        let first = try await post(message, token: token, contentType: "text/plain")
        XCTAssertEqual(first.status, .created, first.raw)
        XCTAssertTrue(first["message_id"]?.string?.hasPrefix("sha256.") == true)
        let second = try await post(message, token: token, contentType: "text/plain")
        XCTAssertEqual(second["reason"]?.string, "duplicate")
    }

    func testErasingTheCustomerClearsTheMailsAttachmentNamesAndARedeliveryStaysADuplicate() async throws {
        let token = try await newToken()
        let message = try fixture("qqmail-gb18030")
        let created = try await post(message, token: token)
        XCTAssertEqual(created.status, .created, created.raw)
        let ticketID = try require(created["ticket_id"]?.string)
        let customer = try require(try await get("/v1/tickets/\(ticketID)")["customer_id"]?.string)
        let erased = try await withAPI { [key] api in
            try await api.post("/v1/customers/\(customer)/erase", key: key, #"{"reason": "customer request"}"#)
        }
        XCTAssertEqual(erased.status, .ok, erased.raw)

        let row = try await ownerPool.queryFirst(
            "SELECT attachments::text AS attachments, dropped::text AS dropped, message_id FROM inbound_emails WHERE tenant_id = \(tenantID)"
        )
        let record = try require(row)
        XCTAssertEqual(try record.decode(String.self, "attachments"), "[]", "no file name of the erased customer's mail is left")
        XCTAssertEqual(try record.decode(String.self, "dropped"), "[]")
        XCTAssertEqual(try record.decode(String.self, "message_id"), created["message_id"]?.string)

        let again = try await post(message, token: token)
        XCTAssertEqual(again.status, .ok, again.raw)
        XCTAssertEqual(again["reason"]?.string, "duplicate", "a redelivery does not bring the erased data back")
        let observed = try await ticketCount()
        XCTAssertEqual(observed, 1)
    }
}
