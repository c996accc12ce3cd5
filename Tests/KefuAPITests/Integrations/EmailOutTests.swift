import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Email out end to end against a real SMTP server (aiosmtpd): customer-facing messages written
/// to the outbox with the change, rendered as UTF-8 MIME with the threading headers, the survey
/// invitation's working link, permanent refusals dead at once, dropped connections retried, and
/// each tenant's mail through its own relay only.
final class EmailOutTests: TicketTestCase {
    let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])
    let secrets = try! SecretBox(secret: "a deployment key of at least 32 characters")
    let domain = "kefu.example"

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, webhookTargets: targets, secrets: secrets)
    }

    private func start(_ mode: SMTPTestServer.Mode = .accept) throws -> SMTPTestServer {
        let server = SMTPTestServer(mode)
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    /// The worker, sending through `server` as the deployment's relay (announced to the database).
    private func useRelay(_ server: SMTPTestServer?) async throws {
        let relay = server.map { MailRelay(host: "127.0.0.1", port: $0.port, security: .starttls, fromAddress: "service@\(domain)") }
        let email = EmailConfiguration(relay: relay, secrets: secrets, publicURL: "https://help.kefu.example/", caFile: nil)
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets, email: email)
        try await worker.announceMail(at: clock.now())
    }

    private func emailTicket(key caller: String? = nil, address: String = "li.wei@example.cn") async throws -> String {
        let text = json([
            "customer": ["name": "李伟"], "channel": "email", "contact": address, "category": "fault", "priority": "P3",
            "subject": "支付失败", "description": "支付失败：银行卡状态异常",
        ])
        let created = try await withAPI { [key] api in try await api.post("/v1/tickets", key: caller ?? key, text) }
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    private func emailDeliveries(_ tenant: UUID? = nil) async throws -> [PostgresRow] {
        try await ownerPool.query(
            """
            SELECT id, status, attempts, last_status_code, last_error, body, source_id FROM deliveries
            WHERE email AND tenant_id = \(tenant ?? tenantID) ORDER BY created_at, id
            """
        )
    }

    func testAnAgentsReplyArrivesAsUTF8MIMEWithTheThreadingHeaders() async throws {
        let server = try start()
        try await useRelay(server)
        let agent = try await addAgent("An Ning", tier: "mid")
        let agentKey = try await keyFor(agent)
        let ticket = try await emailTicket()
        // Routed to the only agent on intake.
        let owner = try await get("/v1/tickets/\(ticket)")
        XCTAssertEqual(owner["owner_id"]?.string, agent.id.uuidString, owner.raw)
        // The customer wrote back by mail (as inbound email stores it).
        let reply = try await act(ticket, "customer-reply", ["body": "还是不行"])
        XCTAssertEqual(reply.status, .ok, reply.raw)
        _ = try await ownerPool.execute(
            "UPDATE ticket_messages SET email_message_id = '<CAF=abc@mail.qq.com>' WHERE ticket_id = \(UUID(uuidString: ticket)!) AND body = '还是不行'"
        )
        let responded = try await act(ticket, "respond", ["body": "您好，退款已处理，请查收。"], as: agentKey)
        XCTAssertEqual(responded.status, .ok, responded.raw)

        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.failed + report.dead, 0, "\(report)")
        let mails = try server.messages().map(ParsedMail.init)
        let answer = try XCTUnwrap(mails.first { $0.text == "您好，退款已处理，请查收。" }, "\(mails.map(\.text))")
        let storedID = try await ownerPool.queryScalar(UUID.self, "SELECT id FROM ticket_messages WHERE body = '您好，退款已处理，请查收。'")
        let messageID = try XCTUnwrap(storedID)
        XCTAssertEqual(answer.envelopeTo, ["li.wei@example.cn"])
        XCTAssertEqual(answer.envelopeFrom, "service@\(domain)")
        XCTAssertEqual(answer.subject, "[T-000001] 支付失败")
        XCTAssertEqual(answer.header("Content-Type"), "text/plain; charset=UTF-8")
        XCTAssertEqual(answer.header("Message-ID"), "<kefu.\(messageID.uuidString.lowercased())@\(domain)>")
        XCTAssertEqual(answer.header("In-Reply-To"), "<CAF=abc@mail.qq.com>")
        let references = try XCTUnwrap(answer.header("References")).split(separator: " ").map(String.init)
        XCTAssertEqual(references.first, "<kefu.ticket.\(ticket.lowercased())@\(domain)>")
        XCTAssertEqual(references.filter { $0 == "<CAF=abc@mail.qq.com>" }.count, 1, "\(references)")
        XCTAssertNil(answer.header("Auto-Submitted"), "a person's reply")

        // The acknowledgement came first, marked as automatic; the reply references it.
        let acknowledgement = try XCTUnwrap(mails.first { $0.header("Auto-Submitted") != nil })
        XCTAssertEqual(acknowledgement.header("Auto-Submitted"), "auto-generated")
        XCTAssertTrue(references.contains(try XCTUnwrap(acknowledgement.header("Message-ID"))), "\(references)")
        let stored = try await emailDeliveries()
        XCTAssertEqual(try stored.map { try $0.decode(String.self, "status") }, Array(repeating: "delivered", count: stored.count))
    }

    func testTheSurveyInvitationCarriesAWorkingLinkNeverStoredInPlain() async throws {
        let server = try start()
        try await useRelay(server)
        let agent = try await addAgent("An Ning", tier: "mid")
        let agentKey = try await keyFor(agent)
        let ticket = try await emailTicket()
        let routed = try await get("/v1/tickets/\(ticket)")
        XCTAssertEqual(routed["owner_id"]?.string, agent.id.uuidString, routed.raw)
        let resolved = try await act(ticket, "resolve", ["solution_summary": "已退款"], as: agentKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        let token = try surveyToken(ticket)

        _ = try await worker.deliveries.sweep()
        let mails = try server.messages().map(ParsedMail.init)
        let invitation = try XCTUnwrap(mails.first { $0.text.contains("/s/") }, "\(mails.map(\.text))")
        XCTAssertEqual(invitation.header("Auto-Submitted"), "auto-generated")
        let link = try XCTUnwrap(invitation.text.components(separatedBy: .whitespacesAndNewlines).first { $0.contains("/s/") })
        XCTAssertEqual(link, "https://help.kefu.example/s/\(token)")

        // Nowhere in plain: not in the outbox, not in the survey row, not in any webhook body.
        let plain = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT (SELECT count(*) FROM deliveries WHERE position(\(token) IN coalesce(body, '')) > 0)
                 + (SELECT count(*) FROM surveys WHERE position(convert_to(\(token), 'UTF8') IN coalesce(token_sealed, '')) > 0)
            """
        )
        XCTAssertEqual(plain, 0)

        // The link opens the customer's page and takes the answer.
        let page = try await withAPI { api in try await api.get("/s/\(token)", key: nil) }
        XCTAssertEqual(page.status, .ok)
        let answer = try await withAPI { api in
            try await api.send(
                .post,
                "/s/\(token)",
                body: "overall=5&timeliness=4&professionalism=5&resolution=4&attitude=5",
                headers: ["Content-Type": "application/x-www-form-urlencoded"]
            )
        }
        XCTAssertEqual(answer.status, .ok, answer.raw)
        let survey = try await get("/v1/tickets/\(ticket)/survey")
        XCTAssertEqual(survey["overall"]?.number, 5)
    }

    func testARejectingServerEndsDeadAtOnceWithItsText() async throws {
        let server = try start(.reject)
        try await useRelay(server)
        _ = try await emailTicket()
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.dead, 1, "\(report)")
        let deadRows = try await emailDeliveries()
        let delivery = try XCTUnwrap(deadRows.first)
        let lastError = try delivery.decode(String.self, "last_error")
        XCTAssertEqual(try delivery.decode(String.self, "status"), "dead")
        XCTAssertEqual(try delivery.decode(Int.self, "attempts"), 1)
        XCTAssertEqual(try delivery.decode(Int?.self, "last_status_code"), 550)
        XCTAssertTrue(lastError.contains("User unknown"), lastError)
        let listed = try await get("/v1/deliveries?status=dead")
        XCTAssertEqual(listed["items"]?.array?.first?["email"]?.bool, true, listed.raw)
    }

    func testADroppedConnectionIsRetriedWithTheSameMessage() async throws {
        let dropping = try start(.drop)
        try await useRelay(dropping)
        _ = try await emailTicket()
        let first = try await worker.deliveries.sweep()
        XCTAssertEqual(first.failed, 1, "\(first)")
        let failedRows = try await emailDeliveries()
        let failed = try XCTUnwrap(failedRows.first)
        XCTAssertEqual(try failed.decode(String.self, "status"), "failed")
        XCTAssertTrue(try failed.decode(String.self, "last_error").contains("closed the connection"))

        let server = try start()
        try await useRelay(server)
        clock.advance(by: 3600)
        let second = try await worker.deliveries.sweep()
        XCTAssertEqual(second.delivered, 1, "\(second)")
        let deliveredRows = try await emailDeliveries()
        let delivered = try XCTUnwrap(deliveredRows.first)
        XCTAssertEqual(try delivered.decode(UUID.self, "id"), try failed.decode(UUID.self, "id"))
        XCTAssertEqual(try delivered.decode(Int.self, "attempts"), 2)
        XCTAssertEqual(try server.messages().count, 1)
    }

    func testErasingTheCustomerLeavesNothingToSendAndNoSealedLink() async throws {
        let server = try start()
        try await useRelay(server)
        let agent = try await addAgent("An Ning", tier: "mid")
        let ticket = try await emailTicket()
        _ = try await act(ticket, "resolve", ["solution_summary": "已退款"], as: try await keyFor(agent))
        let customer = try require(try await get("/v1/tickets/\(ticket)")["customer_id"]?.string)
        let erased = try await withAPI { [key] api in
            try await api.post("/v1/customers/\(customer)/erase", key: key, json(["reason": "Customer request under PIPL art. 47"]))
        }
        XCTAssertEqual(erased.status, .ok, erased.raw)
        let sealed = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM surveys WHERE token_sealed IS NOT NULL")
        XCTAssertEqual(sealed, 0)
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 0, "\(report)")
        XCTAssertEqual(try server.messages().count, 0, "no address left to write to")
        let rows = try await emailDeliveries()
        XCTAssertFalse(rows.isEmpty)
        XCTAssertEqual(try rows.map { try $0.decode(String.self, "status") }, Array(repeating: "dead", count: rows.count))
    }

    func testWithoutARelayNoMailIsQueued() async throws {
        try await useRelay(nil)
        _ = try await emailTicket()
        let queued = try await emailDeliveries()
        XCTAssertEqual(queued.count, 0)
    }

    func testEachTenantsMailGoesThroughItsOwnRelayOnly() async throws {
        let deployment = try start()
        let own = try start(.auth)
        try await useRelay(deployment)
        // Tenant A (this test's) has its own relay; its password is never shown.
        let put = try await withAPI { [key] api in
            try await api.send(
                .put,
                "/v1/mail-relay",
                key: key,
                body: json([
                    "host": "127.0.0.1", "port": own.port, "security": "starttls", "username": "kefu", "password": "s3cret",
                    "from_address": "support@tenant-a.example",
                ])
            )
        }
        XCTAssertEqual(put.status, .ok, put.raw)
        XCTAssertEqual(put["password_set"]?.bool, true)
        XCTAssertNil(put["password"])
        XCTAssertFalse(put.raw.contains("s3cret"))
        let sealed = try await ownerPool.queryScalar(Data.self, "SELECT password_sealed FROM mail_relays")
        XCTAssertEqual(sealed.flatMap { secrets.open($0) }, "s3cret")

        let tenantB = try await makeTenant("tenant-b")
        let hidden = try await withAPI { api in try await api.get("/v1/mail-relay", key: tenantB.apiKey) }
        XCTAssertEqual(hidden.status, .ok)
        XCTAssertEqual(hidden["relay"], .null, "B never sees A's relay: \(hidden.raw)")
        let mine = try await get("/v1/mail-relay")
        XCTAssertEqual(mine["relay"]?["from_address"]?.string, "support@tenant-a.example")
        XCTAssertNil(mine["relay"]?["password"])
        _ = try await emailTicket(address: "a-customer@example.cn")
        _ = try await emailTicket(key: tenantB.apiKey, address: "b-customer@example.cn")

        // The test server of tenant A needs its certificate trusted.
        let email = EmailConfiguration(
            relay: MailRelay(host: "127.0.0.1", port: deployment.port, security: .starttls, fromAddress: "service@\(domain)"),
            secrets: secrets,
            caFile: own.certificateFile
        )
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets, email: email)
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 2, "\(report)")
        XCTAssertEqual(try own.messages().flatMap(\.recipients), ["a-customer@example.cn"])
        XCTAssertEqual(try own.messages().map(\.mailFrom), ["support@tenant-a.example"])
        XCTAssertEqual(try deployment.messages().flatMap(\.recipients), ["b-customer@example.cn"])
    }

    func testTheRelayIsValidatedFieldByField() async throws {
        func put(_ body: [String: Any]) async throws -> APIClient.Reply {
            let text = json(body)
            return try await withAPI { [key] api in try await api.send(.put, "/v1/mail-relay", key: key, body: text) }
        }
        let valid: [String: Any] = ["host": "127.0.0.1", "port": 2525, "security": "starttls", "from_address": "a@example.com"]
        for (change, field) in [
            (["port": 0], "port"), (["host": "bad host"], "host"), (["security": "tls"], "security"),
            (["from_address": "nobody"], "from_address"), (["password": "x"], "username"), (["host": "10.0.0.1"], "host"),
        ] as [([String: Any], String)] {
            let reply = try await put(valid.merging(change) { $1 })
            XCTAssertEqual(reply.status, .unprocessableContent, "\(change): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, "\(change): \(reply.raw)")
        }
        let stored = try await put(valid)
        XCTAssertEqual(stored.status, .ok, stored.raw)
        let removed = try await withAPI { [key] api in try await api.delete("/v1/mail-relay", key: key) }
        XCTAssertEqual(removed.status, .noContent)
        let again = try await withAPI { [key] api in try await api.delete("/v1/mail-relay", key: key) }
        XCTAssertEqual(again.status, .notFound)
    }
}

/// A received mail, parsed just enough to check it: unfolded headers, RFC 2047 B-words decoded,
/// the base64 body decoded.
struct ParsedMail {
    var envelopeFrom: String
    var envelopeTo: [String]
    var headers: [(String, String)]
    var text: String

    init(_ message: SMTPTestServer.Message) throws {
        envelopeFrom = message.mailFrom
        envelopeTo = message.recipients
        let parts = message.text.components(separatedBy: "\r\n\r\n")
        let unfolded = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        headers = unfolded.components(separatedBy: "\r\n").map { line in
            let name = line.prefix { $0 != ":" }
            return (String(name), String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces))
        }
        let body = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
        text = String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self)
    }

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

    /// The subject with its encoded words decoded (adjacent words joined, as RFC 2047 says).
    var subject: String {
        (header("Subject") ?? "").split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return " " + word }
            let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }.joined().trimmingCharacters(in: .whitespaces)
    }
}
