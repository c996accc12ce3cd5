import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Webhooks end to end: a real receiver on 127.0.0.1 (allowed for development, as
/// `KEFU_WEBHOOK_ALLOWED_HOSTS` allows it), the outbox written with the change, the worker's
/// delivery sweep sending signed requests, retries with one delivery id, dead letters and the
/// retry by hand, and tenants kept apart.
final class WebhookDeliveryTests: TicketTestCase {
    let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, webhookTargets: targets)
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets)
    }

    /// Starts `receiver` for this test; answers its URL.
    private func start(_ receiver: WebhookReceiver) async throws -> String {
        let url = try await receiver.start()
        addTeardownBlock { await receiver.stop() }
        return url
    }

    private func createWebhook(_ url: String, events: [String], key caller: String? = nil) async throws -> APIClient.Reply {
        let body = json(["url": url, "events": events, "description": "CRM sync"])
        return try await withAPI { [key] api in try await api.post("/v1/webhooks", key: caller ?? key, body) }
    }

    private func paymentFailure() async throws -> String {
        let created = try await intake([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P2",
            "description": "支付失败：银行卡状态异常",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    private func deliveries(_ query: String = "", key caller: String? = nil) async throws -> [JSONValue] {
        let page = try await withAPI { [key] api in try await api.get("/v1/deliveries\(query)", key: caller ?? key) }
        XCTAssertEqual(page.status, .ok, page.raw)
        return page["items"]?.array ?? []
    }

    func testATicketCreatedReachesTheWebhookSignedWithItsSecret() async throws {
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        let created = try await createWebhook(url, events: ["ticket.created"])
        XCTAssertEqual(created.status, .created, created.raw)
        let secret = try require(created["secret"]?.string)
        XCTAssertTrue(secret.hasPrefix("whsec_"))
        let id = try require(created["id"]?.string)
        let read = try await get("/v1/webhooks/\(id)")
        XCTAssertNil(read["secret"], "the secret is shown once: \(read.raw)")
        XCTAssertEqual(read["events"]?.array?.compactMap(\.string), ["ticket.created"])

        let ticket = try await paymentFailure()
        let queued = try await deliveries()
        XCTAssertEqual(queued.count, 1, "one subscribed event, written with the ticket")
        XCTAssertEqual(queued.first?["status"]?.string, "pending")

        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 1)
        let request = try require(receiver.requests.first)
        XCTAssertEqual(receiver.requests.count, 1)
        XCTAssertEqual(request.event, "ticket.created")
        XCTAssertEqual(request.contentType, "application/json")
        let signature = try require(request.signature)
        XCTAssertTrue(WebhookSignature.verify(header: signature, body: request.body, secret: secret, now: clock.now()))
        XCTAssertFalse(WebhookSignature.verify(header: signature, body: request.body + [32], secret: secret, now: clock.now()))
        XCTAssertFalse(
            WebhookSignature.verify(header: signature, body: request.body, secret: secret, now: clock.now().addingTimeInterval(301)),
            "an old timestamp is refused"
        )
        let payload = try KefuJSON.decoder().decode(JSONValue.self, from: Data(request.body))
        XCTAssertEqual(payload["type"]?.string, "ticket.created")
        XCTAssertEqual(payload["id"]?.string, request.delivery)
        XCTAssertEqual(payload["data"]?["ticket"]?["id"]?.string, ticket)
        XCTAssertEqual(payload["data"]?["ticket"]?["reference"]?.string, "T-000001")
        XCTAssertEqual(payload["data"]?["event"]?["kind"]?.string, "created")

        let delivered = try await deliveries("?status=delivered")
        XCTAssertEqual(delivered.first?["id"]?.string, request.delivery)
        XCTAssertEqual(delivered.first?["attempts"]?.number, 1)
        let detail = try await get("/v1/deliveries/\(try require(request.delivery))")
        XCTAssertEqual(detail["history"]?.array?.first?["status_code"]?.number, 200, detail.raw)
        XCTAssertEqual(detail["body"]?.string, request.text)
        let again = try await worker.deliveries.sweep()
        XCTAssertEqual(again.claimed, 0, "delivered once")
    }

    func testAReceiverFailingThreeTimesGetsTheEventOnTheFourthAttemptWithOneDeliveryID() async throws {
        let receiver = WebhookReceiver()
        receiver.answer([.internalServerError, .internalServerError, .internalServerError])
        let url = try await start(receiver)
        _ = try await createWebhook(url, events: ["ticket.created"])
        _ = try await paymentFailure()
        var waited: TimeInterval = 0
        for attempt in 1...4 {
            let report = try await worker.deliveries.sweep()
            XCTAssertEqual(report.claimed, 1, "attempt \(attempt)")
            // The next attempt comes after the backoff (10 s, 20 s, 40 s, each ±20 %), not before.
            let delay = DeliveryRetryPolicy().baseDelay(afterAttempt: attempt)
            clock.set(clock.now().addingTimeInterval(delay * 0.75))
            let early = try await worker.deliveries.sweep()
            XCTAssertEqual(early.claimed, 0, "attempt \(attempt) is followed by a pause")
            clock.set(clock.now().addingTimeInterval(delay * 0.5))
            waited += delay * 1.25
        }
        let requests = receiver.requests
        XCTAssertEqual(requests.count, 4)
        XCTAssertEqual(Set(requests.compactMap(\.delivery)).count, 1, "one delivery id for every attempt")
        XCTAssertEqual(Set(requests.map(\.text)).count, 1, "the same body every time")
        let delivery = try require(try await deliveries().first)
        XCTAssertEqual(delivery["status"]?.string, "delivered")
        XCTAssertEqual(delivery["attempts"]?.number, 4)
        let detail = try await get("/v1/deliveries/\(try require(delivery["id"]?.string))")
        XCTAssertEqual(detail["history"]?.array?.compactMap { $0["status_code"]?.number }, [500, 500, 500, 200])
        XCTAssertGreaterThan(waited, 0)
    }

    func testAReceiverDownForTheWholeWindowEndsDeadAndIsRetriedByHand() async throws {
        let receiver = WebhookReceiver()
        receiver.answer(Array(repeating: .serviceUnavailable, count: 15))
        let url = try await start(receiver)
        _ = try await createWebhook(url, events: ["ticket.created"])
        _ = try await paymentFailure()
        let started = clock.now()
        var attempts = 0
        while attempts < 20 {
            let report = try await worker.deliveries.sweep()
            attempts += report.claimed
            if report.dead > 0 { break }
            clock.set(clock.now().addingTimeInterval(6 * 3600 * 1.2))
        }
        XCTAssertEqual(attempts, 15, "15 attempts, then dead")
        XCTAssertGreaterThan(clock.now().timeIntervalSince(started), 20 * 3600, "spread over about a day")
        let dead = try await deliveries("?status=dead")
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?["last_status_code"]?.number, 503)
        let metrics = try await withAPI { api in try await api.get("/metrics", key: nil) }
        XCTAssertTrue(metrics.raw.contains("kefu_deliveries_dead 1"), metrics.raw)

        let id = try require(dead.first?["id"]?.string)
        let retried = try await withAPI { [key] api in try await api.post("/v1/deliveries/\(id)/retry", key: key, "") }
        XCTAssertEqual(retried.status, .ok, retried.raw)
        XCTAssertEqual(retried["status"]?.string, "pending")
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 1, "the receiver is back")
        let twice = try await withAPI { [key] api in try await api.post("/v1/deliveries/\(id)/retry", key: key, "") }
        XCTAssertEqual(twice.status, .conflict, "a delivered one is not sent again")
        XCTAssertEqual(Set(receiver.requests.compactMap(\.delivery)), [id])
    }

    func testAWorkerKilledMidDeliveryLeavesItToTheNextOneWithTheSameID() async throws {
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        _ = try await createWebhook(url, events: ["ticket.created"])
        _ = try await paymentFailure()
        // A worker claims the delivery and dies before sending (its lease stays behind).
        let lanes = try await worker.deliveries.claim(limit: 10)
        XCTAssertEqual(lanes.count, 1)
        let blocked = try await worker.deliveries.sweep()
        XCTAssertEqual(blocked.claimed, 0, "leased to the dead worker")
        clock.set(clock.now().addingTimeInterval(121))
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 1, "taken over after the lease")
        XCTAssertEqual(receiver.requests.count, 1)
    }

    func testOneTenantsEventsNeverReachAnotherTenantsWebhook() async throws {
        let other = try await makeTenant("other")
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        let theirs = try await createWebhook(url, events: ["ticket.created", "message.created"], key: other.apiKey)
        XCTAssertEqual(theirs.status, .created, theirs.raw)
        let mine = try await createWebhook(url.replacingOccurrences(of: "/hook", with: "/hook"), events: ["ticket.created"])
        let mineID = try require(mine["id"]?.string)
        _ = try await paymentFailure()
        _ = try await worker.deliveries.sweep()
        XCTAssertEqual(receiver.requests.map(\.event), ["ticket.created"], "only my webhook hears of my ticket")
        let theirDeliveries = try await deliveries(key: other.apiKey)
        XCTAssertEqual(theirDeliveries.count, 0)
        let myDelivery = try require(try await deliveries().first?["id"]?.string)
        for path in ["/v1/webhooks/\(mineID)", "/v1/deliveries/\(myDelivery)"] {
            let foreign = try await withAPI { api in try await api.get(path, key: other.apiKey) }
            XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        }
        let changed = try await withAPI { api in try await api.patch("/v1/webhooks/\(mineID)", key: other.apiKey, json(["active": false])) }
        XCTAssertEqual(changed.status, .notFound, changed.raw)
        let deleted = try await withAPI { api in try await api.send(.delete, "/v1/webhooks/\(mineID)", key: other.apiKey) }
        XCTAssertEqual(deleted.status, .notFound, deleted.raw)
    }

    func testARotatedSecretSignsAlongsideThePreviousOneDuringTheOverlap() async throws {
        let receiver = WebhookReceiver()
        let url = try await start(receiver)
        let created = try await createWebhook(url, events: ["ticket.created"])
        let old = try require(created["secret"]?.string)
        let id = try require(created["id"]?.string)
        let rotated = try await withAPI { [key] api in try await api.post("/v1/webhooks/\(id)/rotate-secret", key: key, "") }
        XCTAssertEqual(rotated.status, .ok, rotated.raw)
        let new = try require(rotated["secret"]?.string)
        XCTAssertNotEqual(new, old)
        XCTAssertEqual(date(rotated["previous_secret_expires_at"]), clock.now().addingTimeInterval(24 * 3600))
        _ = try await paymentFailure()
        _ = try await worker.deliveries.sweep()
        let first = try require(receiver.requests.last)
        for secret in [old, new] {
            XCTAssertTrue(WebhookSignature.verify(header: first.signature ?? "", body: first.body, secret: secret, now: clock.now()))
        }
        // After the overlap only the new secret signs.
        clock.set(clock.now().addingTimeInterval(24 * 3600 + 1))
        _ = try await paymentFailure()
        _ = try await worker.deliveries.sweep()
        let second = try require(receiver.requests.last)
        XCTAssertTrue(WebhookSignature.verify(header: second.signature ?? "", body: second.body, secret: new, now: clock.now()))
        XCTAssertFalse(WebhookSignature.verify(header: second.signature ?? "", body: second.body, secret: old, now: clock.now()))
    }

    func testWebhooksRefuseUnsafeTargetsAndBadInputAndAreForAdmins() async throws {
        for (url, reason) in [
            ("http://example.com/hook", "plain http outside the allow-list"),
            ("https://10.1.2.3/hook", "private"),
            ("https://169.254.169.254/latest/meta-data", "cloud metadata"),
            ("https://[::1]/hook", "loopback v6"),
            ("https://localhost/hook", "resolves to loopback"),
            ("https://user:pass@example.com/hook", "credentials"),
            ("not a url", "no scheme"),
        ] {
            let refused = try await createWebhook(url, events: ["ticket.created"])
            XCTAssertEqual(refused.status, .unprocessableContent, "\(reason): \(refused.raw)")
            XCTAssertEqual(refused.errorField, "url", reason)
        }
        let unknown = try await createWebhook("http://127.0.0.1:9/hook", events: ["ticket.created", "ticket.exploded"])
        XCTAssertEqual(unknown.errorField, "events[1]", unknown.raw)
        let none = try await createWebhook("http://127.0.0.1:9/hook", events: [])
        XCTAssertEqual(none.errorField, "events", none.raw)
        let agentKey = try await keyFor(try await addAgent("Agent An"))
        let byAgent = try await createWebhook("http://127.0.0.1:9/hook", events: ["ticket.created"], key: agentKey)
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.raw)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM webhooks")
        XCTAssertEqual(stored, 0, "nothing written")
        for _ in 0..<WebhookService.maximumPerTenant {
            let made = try await createWebhook("http://127.0.0.1:9/hook", events: ["ticket.created"])
            XCTAssertEqual(made.status, .created, made.raw)
        }
        let tooMany = try await createWebhook("http://127.0.0.1:9/hook", events: ["ticket.created"])
        XCTAssertEqual(tooMany.status, .conflict, tooMany.raw)
    }
}
