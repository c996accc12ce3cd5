import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Chat and app messages in (issue 15 §5): a gateway's `integration` key posts each platform
/// message once; it opens a ticket or joins the customer's open conversation on that channel, and
/// agents' replies go back through the gateway's channel-bound webhook.
final class ChannelMessageTests: TicketTestCase {
    let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])
    private var gatewayKey: String!
    private var agent: Agent!
    private var agentKey: String!

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, webhookTargets: targets)
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets)
        gatewayKey = try await keyFor(try await addAgent("Chat Gateway", role: "integration", duty: "away"))
        agent = try await addAgent("Wang Fang", tier: "mid")
        agentKey = try await keyFor(agent)
    }

    private func post(
        _ messageID: String,
        _ text: String,
        customer: String = "wx-openid-7f3a",
        channel: String = "chat",
        key caller: String? = nil
    ) async throws -> APIClient.Reply {
        let body = json(["message_id": messageID, "customer": ["external_id": customer, "name": "微信用户 小周"], "text": text])
        return try await withAPI { [gatewayKey] api in try await api.post("/v1/channels/\(channel)/messages", key: caller ?? gatewayKey, body) }
    }

    private func count(_ table: String) async throws -> Int {
        let query: PostgresQuery =
            switch table {
            case "tickets": "SELECT count(*) FROM tickets WHERE tenant_id = \(tenantID)"
            case "customers": "SELECT count(*) FROM customers WHERE tenant_id = \(tenantID)"
            default: "SELECT count(*) FROM ticket_messages WHERE tenant_id = \(tenantID) AND author_kind = 'customer'"
            }
        return try await ownerPool.queryScalar(Int.self, query) ?? -1
    }

    func testAFirstMessageOpensAChatTicketAndTheSameMessageAgainChangesNothing() async throws {
        let first = try await post("msg-1001", "你好，我的订单一直显示待发货")
        XCTAssertEqual(first.status, .created, first.raw)
        XCTAssertEqual(first["opened_ticket"]?.bool, true)
        XCTAssertEqual(first["channel"]?.string, "chat")
        XCTAssertEqual(first["message_id"]?.string, "msg-1001")
        let ticketID = try require(first["ticket_id"]?.string)
        let ticket = try await get("/v1/tickets/\(ticketID)")
        XCTAssertEqual(ticket["channel"]?.string, "chat")
        XCTAssertEqual(ticket["category"]?.string, "inquiry", "the default category")
        let customer = try await get("/v1/customers/\(try require(ticket["customer_id"]?.string))")
        XCTAssertEqual(customer["external_id"]?.string, "wx-openid-7f3a")
        let messages = try await get("/v1/tickets/\(ticketID)/messages")
        let own = try require(messages["items"]?.array?.first { $0["author_kind"]?.string == "customer" })
        XCTAssertEqual(own["body"]?.string, "你好，我的订单一直显示待发货")
        XCTAssertEqual(own["id"]?.string, first["ticket_message_id"]?.string)

        let again = try await post("msg-1001", "你好，我的订单一直显示待发货")
        XCTAssertEqual(again.status, .ok, again.raw)
        XCTAssertEqual(again["ticket_id"]?.string, ticketID)
        XCTAssertEqual(again["ticket_message_id"]?.string, first["ticket_message_id"]?.string)
        XCTAssertEqual(again["received_at"]?.string, first["received_at"]?.string, "the first receipt")
        let tickets = try await count("tickets")
        let customerMessages = try await count("messages")
        XCTAssertEqual(tickets, 1)
        XCTAssertEqual(customerMessages, 1, "nothing appended twice")
    }

    func testTheNextMessageJoinsTheOpenConversationAndResumesAWaitingTicket() async throws {
        let first = try await post("m-1", "订单 88231 没有发货")
        let ticketID = try require(first["ticket_id"]?.string)
        let taken = try await act(ticketID, "respond", ["body": "请提供收货手机号"], as: agentKey)
        XCTAssertEqual(taken.status, .ok, taken.raw)
        let waiting = try await act(ticketID, "request-info", ["body": "请提供收货手机号后四位"], as: agentKey)
        XCTAssertEqual(waiting["status"]?.string, "waiting_on_customer", waiting.raw)

        let second = try await post("m-2", "尾号 6612")
        XCTAssertEqual(second.status, .created, second.raw)
        XCTAssertEqual(second["opened_ticket"]?.bool, false)
        XCTAssertEqual(second["ticket_id"]?.string, ticketID, "the customer's open conversation")
        let resumed = try await get("/v1/tickets/\(ticketID)")
        XCTAssertEqual(resumed["status"]?.string, "in_progress", "the customer answered: the ticket resumes")

        // Another channel is another conversation; a resolved one is over.
        let inApp = try await post("m-3", "App 里也看不到物流", channel: "in_app")
        XCTAssertEqual(inApp["opened_ticket"]?.bool, true)
        XCTAssertNotEqual(inApp["ticket_id"]?.string, ticketID)
        let resolved = try await act(ticketID, "resolve", ["solution_summary": "已补发"], as: agentKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        let later = try await post("m-4", "又有新问题：发票怎么开")
        XCTAssertEqual(later["opened_ticket"]?.bool, true, later.raw)
        XCTAssertNotEqual(later["ticket_id"]?.string, ticketID)
        let customers = try await count("customers")
        XCTAssertEqual(customers, 1, "one customer, found by external id")
    }

    /// `count` concurrent posts, the i-th with `bodies(i)`, all through one server.
    private func concurrently(_ bodies: [String]) async throws -> [APIClient.Reply] {
        try await withAPI { [gatewayKey] api in
            try await withThrowingTaskGroup(of: APIClient.Reply.self) { group in
                for body in bodies {
                    group.addTask { try await api.send(.post, "/v1/channels/chat/messages", key: gatewayKey, body: body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
    }

    private func message(_ id: String, _ text: String, customer: String) -> String {
        json(["message_id": id, "customer": ["external_id": customer, "name": "微信用户"], "text": text])
    }

    func testConcurrentPostsOfOneMessageTakeItInOnce() async throws {
        let replies = try await concurrently(Array(repeating: message("burst-1", "在吗？", customer: "wx-openid-7f3a"), count: 6))
        XCTAssertEqual(replies.filter { $0.status == .created }.count, 1, replies.map(\.raw).joined(separator: "\n"))
        XCTAssertEqual(replies.filter { $0.status == .ok }.count, 5)
        XCTAssertEqual(Set(replies.compactMap { $0["ticket_id"]?.string }).count, 1)
        // Two different first messages of a new customer at once open one conversation, not two.
        let pair = try await concurrently([message("burst-2a", "第一句", customer: "wx-new"), message("burst-2b", "第二句", customer: "wx-new")])
        XCTAssertEqual(Set(pair.compactMap { $0["ticket_id"]?.string }).count, 1, pair.map(\.raw).joined(separator: "\n"))
        XCTAssertEqual(pair.filter { $0["opened_ticket"]?.bool == true }.count, 1)
        let tickets = try await count("tickets")
        let customerMessages = try await count("messages")
        XCTAssertEqual(tickets, 2)
        XCTAssertEqual(customerMessages, 3)
    }

    func testAgentsRepliesGoBackThroughTheChannelsWebhook() async throws {
        let chat = WebhookReceiver()
        let social = WebhookReceiver()
        let chatURL = try await chat.start()
        let socialURL = try await social.start()
        addTeardownBlock {
            await chat.stop()
            await social.stop()
        }
        for (url, channel) in [(chatURL, "chat"), (socialURL, "social")] {
            let body = json(["url": url, "events": ["reply.created"], "channel": channel])
            let created = try await withAPI { [key] api in try await api.post("/v1/webhooks", key: key, body) }
            XCTAssertEqual(created.status, .created, created.raw)
            XCTAssertEqual(created["channel"]?.string, channel)
        }
        let first = try await post("r-1", "怎么修改收货地址？")
        let ticketID = try require(first["ticket_id"]?.string)
        _ = try await worker.deliveries.sweep()
        let acknowledgement = try require(chat.requests.first, "the acknowledgement is what the customer must receive")
        XCTAssertEqual(acknowledgement.event, "reply.created")
        chat.clear()

        let replied = try await act(ticketID, "respond", ["body": "在“我的订单”里点修改地址即可"], as: agentKey)
        XCTAssertEqual(replied.status, .ok, replied.raw)
        let note = try await act(ticketID, "notes", ["body": "内部：客户是老用户"], as: agentKey)
        XCTAssertEqual(note.status, .ok, note.raw)
        _ = try await worker.deliveries.sweep()
        XCTAssertEqual(chat.requests.count, 1, "the reply, never the internal note")
        let payload = try KefuJSON.decoder().decode(JSONValue.self, from: Data(try require(chat.requests.first).body))
        XCTAssertEqual(payload["type"]?.string, "reply.created")
        XCTAssertEqual(payload["data"]?["message"]?["body"]?.string, "在“我的订单”里点修改地址即可")
        XCTAssertEqual(payload["data"]?["customer"]?["external_id"]?.string, "wx-openid-7f3a", "whom the gateway sends it to")
        XCTAssertEqual(payload["data"]?["ticket"]?["id"]?.string, ticketID)
        XCTAssertTrue(social.requests.isEmpty, "a social gateway's webhook hears nothing of chat tickets")

        let socialHook = try require(try await webhookID(socialURL))
        let cleared = try await withAPI { [key] api in
            try await api.send(.patch, "/v1/webhooks/\(socialHook)", key: key, body: json(["channel": NSNull()]))
        }
        XCTAssertEqual(cleared.status, .ok, cleared.raw)
        XCTAssertNil(cleared["channel"], "unbound: it hears of every channel")
    }

    private func webhookID(_ url: String) async throws -> String? {
        let page = try await get("/v1/webhooks")
        return page["items"]?.array?.first { $0["url"]?.string == url }?["id"]?.string
    }

    func testOnlyGatewaysAndAdminsPostAndBadInputNamesTheField() async throws {
        let byAgent = try await post("x-1", "hello", key: agentKey)
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.raw)
        let byAdmin = try await post("x-2", "hello", key: key)
        XCTAssertEqual(byAdmin.status, .created, byAdmin.raw)

        let cases: [(String, String, String)] = [
            ("/v1/channels/phone/messages", json(["message_id": "a", "customer": ["external_id": "c", "name": "C"], "text": "t"]), "channel"),
            ("/v1/channels/email/messages", json(["message_id": "a", "customer": ["external_id": "c", "name": "C"], "text": "t"]), "channel"),
            ("/v1/channels/chat/messages", json(["message_id": "a", "customer": ["name": "C"], "text": "t"]), "customer.external_id"),
            ("/v1/channels/chat/messages", json(["message_id": " ", "customer": ["external_id": "c", "name": "C"], "text": "t"]), "message_id"),
            (
                "/v1/channels/chat/messages",
                json(["message_id": String(repeating: "m", count: 201), "customer": ["external_id": "c", "name": "C"], "text": "t"]),
                "message_id"
            ),
            ("/v1/channels/chat/messages", json(["message_id": "a", "customer": ["external_id": "c", "name": "C"], "text": ""]), "text"),
            (
                "/v1/channels/chat/messages",
                json(["message_id": "a", "customer": ["external_id": "c", "name": "C"], "text": "t", "category": "gossip"]),
                "category"
            ),
        ]
        for (path, body, field) in cases {
            let reply = try await withAPI { [gatewayKey] api in try await api.post(path, key: gatewayKey, body) }
            XCTAssertEqual(reply.status, .unprocessableContent, "\(path) \(body): \(reply.raw)")
            XCTAssertEqual(reply["error"]?["field"]?.string, field, reply.raw)
        }
        let tickets = try await count("tickets")
        XCTAssertEqual(tickets, 1, "nothing half-written")
    }

    func testAnotherTenantsGatewayNeverReachesThisTenantsConversations() async throws {
        let first = try await post("shared-1", "我是 A 的客户")
        let ticketA = try require(first["ticket_id"]?.string)
        let other = try await makeTenant("other-shop")
        let reply = try await withAPI { api in
            try await api.post(
                "/v1/channels/chat/messages",
                key: other.apiKey,
                json(["message_id": "shared-1", "customer": ["external_id": "wx-openid-7f3a", "name": "B 的客户"], "text": "我是 B 的客户"])
            )
        }
        XCTAssertEqual(reply.status, .created, "the same platform ids in another tenant are another message: \(reply.raw)")
        XCTAssertNotEqual(reply["ticket_id"]?.string, ticketA)
        let fromB = try await withAPI { api in try await api.get("/v1/tickets/\(ticketA)", key: other.apiKey) }
        XCTAssertEqual(fromB.status, .notFound)
        let messages = try await get("/v1/tickets/\(ticketA)/messages")
        XCTAssertFalse(messages.raw.contains("我是 B 的客户"))
        let tickets = try await count("tickets")
        XCTAssertEqual(tickets, 1)
    }
}
