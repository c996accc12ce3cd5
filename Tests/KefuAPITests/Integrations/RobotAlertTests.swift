import Crypto
import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Group robots (DingTalk, WeCom, Feishu) for the supervisors, a department or a task force:
/// alerts through the outbox, in the platform's format and signing, answered with the platform's
/// error codes; a real receiver on 127.0.0.1 stands in for the platform.
final class RobotAlertTests: TicketTestCase {
    let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, webhookTargets: targets)
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets, consoleURL: "https://console.acme.cn")
    }

    private func start(_ receiver: WebhookReceiver) async throws -> String {
        let url = try await receiver.start()
        addTeardownBlock { await receiver.stop() }
        return url
    }

    private func robot(_ body: [String: Any], key caller: String? = nil) async throws -> APIClient.Reply {
        let text = json(body)
        return try await withAPI { [key] api in try await api.post("/v1/robots", key: caller ?? key, text) }
    }

    private func raiseToP1(_ ticket: String) async throws {
        let raised = try await withAPI { [key] api in try await api.patch("/v1/tickets/\(ticket)", key: key, json(["priority": "P1"])) }
        XCTAssertEqual(raised.status, .ok, raised.raw)
    }

    func testADingTalkRobotOfTheSupervisorsGetsASignedEscalationWithoutTheCustomersText() async throws {
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        let created = try await robot([
            "kind": "dingtalk", "name": "客服主管群", "url": url + "?access_token=abc", "secret": "SECtest", "audience": "supervisors",
            "events": ["ticket.escalated", "sla.breached"],
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        XCTAssertEqual(created["signed"]?.bool, true)
        XCTAssertNil(created["secret"], "the secret is never shown")
        let ticket = try await intake([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P3", "description": "卡号 6222 0000 1111",
        ])
        let id = try require(ticket["id"]?.string)
        try await raiseToP1(id)
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 1, "\(report)")
        let request = try require(receiver.requests.first)
        XCTAssertEqual(receiver.requests.count, 1)
        let query = URLComponents(string: request.target)?.queryItems ?? []
        let timestamp = try require(query.first { $0.name == "timestamp" }?.value)
        XCTAssertEqual(timestamp, String(Int64(clock.now().timeIntervalSince1970 * 1000)))
        let mac = HMAC<Crypto.SHA256>.authenticationCode(for: Array("\(timestamp)\nSECtest".utf8), using: SymmetricKey(data: Array("SECtest".utf8)))
        XCTAssertEqual(query.first { $0.name == "sign" }?.value, Data(mac).base64EncodedString(), "DingTalk's 加签")
        XCTAssertEqual(query.first { $0.name == "access_token" }?.value, "abc")
        XCTAssertNil(request.signature, "no Kefu-Signature for a robot")
        let body = try KefuJSON.decoder().decode(JSONValue.self, from: Data(request.body))
        XCTAssertEqual(body["msgtype"]?.string, "markdown")
        let text = try require(body["markdown"]?["text"]?.string)
        XCTAssertTrue(text.contains("工单升级") && text.contains("T-000001") && text.contains("P1"), text)
        XCTAssertTrue(text.contains("https://console.acme.cn/tickets/\(id.lowercased())"), text)
        XCTAssertFalse(text.contains("6222"), "the customer's text stays out of group chats")
        let deliveries = try await get("/v1/deliveries?robot_id=\(try require(created["id"]?.string))")
        XCTAssertEqual(deliveries["items"]?.array?.first?["status"]?.string, "delivered", deliveries.raw)
        XCTAssertEqual(deliveries["items"]?.array?.first?["event_type"]?.string, "ticket.escalated")
    }

    func testADepartmentRobotHearsOnlyOfItsOwnDepartmentsEscalations() async throws {
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        let cast = try await collaborationCast(priority: "P3")
        let logistics = try await services.departments.create(tenantID, NewDepartment(name: "Warehouse"))
        let made = try await robot([
            "kind": "wecom", "url": url + "?key=k1", "audience": "department", "department_id": logistics.id.uuidString,
            "events": ["ticket.escalated"],
        ])
        XCTAssertEqual(made.status, .created, made.raw)
        let escalated = try await act(cast.ticket, "escalate", ["department_id": cast.departmentID, "note": "Refund stuck"], as: cast.ownerKey)
        XCTAssertEqual(escalated.status, .ok, escalated.raw)
        _ = try await worker.deliveries.sweep()
        XCTAssertEqual(receiver.requests.count, 0, "Billing's escalation is not the warehouse's business")

        let other = try await intake([
            "customer": ["name": "Wang Wei"], "channel": "phone", "category": "fault", "priority": "P3", "description": "Parcel lost",
        ])
        let otherID = try require(other["id"]?.string)
        let toWarehouse = try await act(otherID, "escalate", ["department_id": logistics.id.uuidString, "note": "Parcel lost"], as: cast.ownerKey)
        XCTAssertEqual(toWarehouse.status, .ok, toWarehouse.raw)
        _ = try await worker.deliveries.sweep()
        XCTAssertEqual(receiver.requests.count, 1)
        let body = try KefuJSON.decoder().decode(JSONValue.self, from: Data(try require(receiver.requests.first).body))
        XCTAssertTrue(body["markdown"]?["content"]?.string?.contains("T-000002") == true, "\(body)")
        XCTAssertEqual(URLComponents(string: receiver.requests[0].target)?.queryItems?.first?.value, "k1", "WeCom's key stays in the URL")
    }

    func testAFeishuRobotSignsItsBodyAndAnErrorCodeIsAFailedAttempt() async throws {
        let receiver = WebhookReceiver()
        receiver.answer([(.ok, #"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#)])
        let url = try await start(receiver)
        _ = try await robot(["kind": "feishu", "url": url, "secret": "fs-secret", "audience": "supervisors", "events": ["ticket.escalated"]])
        let ticket = try await intake(["customer": ["name": "Li"], "channel": "in_app", "category": "fault", "priority": "P3", "description": "x"])
        try await raiseToP1(try require(ticket["id"]?.string))
        let first = try await worker.deliveries.sweep()
        XCTAssertEqual(first.failed, 1, "a 200 with a non-zero code is a failure")
        let failed = try await get("/v1/deliveries?status=failed")
        let lastError = try require(failed["items"]?.array?.first?["last_error"]?.string)
        XCTAssertTrue(lastError.contains("19021"), lastError)
        let request = try require(receiver.requests.first)
        let body = try KefuJSON.decoder().decode(JSONValue.self, from: Data(request.body))
        let timestamp = try require(body["timestamp"]?.string)
        let mac = HMAC<Crypto.SHA256>.authenticationCode(for: [UInt8](), using: SymmetricKey(data: Array("\(timestamp)\nfs-secret".utf8)))
        XCTAssertEqual(body["sign"]?.string, Data(mac).base64EncodedString())
        XCTAssertEqual(body["msg_type"]?.string, "text")
        XCTAssertTrue(body["content"]?["text"]?.string?.contains("T-000001") == true)

        clock.set(clock.now().addingTimeInterval(13))
        let second = try await worker.deliveries.sweep()
        XCTAssertEqual(second.delivered, 1, "posted on the next attempt")
    }

    func testRobotsRefuseOtherHostsAndBadInputAndStayWithTheirTenant() async throws {
        for (body, field) in [
            (
                ["kind": "wecom", "url": "https://example.com/cgi-bin/webhook/send?key=x", "audience": "supervisors", "events": ["sla.breached"]],
                "url"
            ),
            (["kind": "slack", "url": "https://qyapi.weixin.qq.com/x", "audience": "supervisors", "events": ["sla.breached"]], "kind"),
            (["kind": "wecom", "url": "http://127.0.0.1:9/hook", "audience": "department", "events": ["sla.breached"]], "department_id"),
            (["kind": "wecom", "url": "http://127.0.0.1:9/hook", "audience": "supervisors", "events": ["ticket.created"]], "events[0]"),
            (
                [
                    "kind": "wecom", "url": "http://127.0.0.1:9/hook", "audience": "task_force", "team_id": UUID().uuidString,
                    "events": ["sla.breached"],
                ], "team_id"
            ),
        ] as [([String: Any], String)] {
            let refused = try await robot(body)
            XCTAssertEqual(refused.status, .unprocessableContent, refused.raw)
            XCTAssertEqual(refused.errorField, field, refused.raw)
        }
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM robots")
        XCTAssertEqual(stored, 0)
        let made = try await robot(["kind": "wecom", "url": "http://127.0.0.1:9/hook", "audience": "supervisors", "events": ["surge.started"]])
        let id = try require(made["id"]?.string)
        let other = try await makeTenant("other")
        for method in [HTTPRequest.Method.get, .delete] {
            let foreign = try await withAPI { api in try await api.send(method, "/v1/robots/\(id)", key: other.apiKey) }
            XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        }
        let agentKey = try await keyFor(try await addAgent("Agent An"))
        let byAgent = try await withAPI { api in try await api.get("/v1/robots", key: agentKey) }
        XCTAssertEqual(byAgent.status, .forbidden)
        let paused = try await withAPI { [key] api in try await api.patch("/v1/robots/\(id)", key: key, json(["active": false, "name": "值班群"])) }
        XCTAssertEqual(paused["active"]?.bool, false, paused.raw)
        XCTAssertEqual(paused["name"]?.string, "值班群")
    }
}
