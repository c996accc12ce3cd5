import Foundation
import HTTPTypes
import KefuAPI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Every route of the API, read from the router's own table: tenant B's key on tenant A's ids
/// answers exactly as for an id that does not exist (never 2xx), never shows an id of A, and
/// changes nothing of A; list filters given A's ids show nothing of A. A route added later is
/// covered without editing this test (a new kind of id fails it until `ids` knows the kind).
final class CrossTenantMatrixTests: APITestCase {
    /// Bodies that pass validation, so that a handler reaches its lookup of the foreign id.
    private static let bodies: [String: String] = [
        "PATCH /v1/agents/{id}": #"{"name": "Hijacked"}"#,
        "PATCH /v1/departments/{id}": #"{"name": "Hijacked"}"#,
        "PATCH /v1/customers/{id}": #"{"name": "Hijacked"}"#,
        "PATCH /v1/tags/{id}": #"{"name": "Hijacked"}"#,
        "PATCH /v1/routing-rules/{id}": #"{"name": "Hijacked"}"#,
        "PATCH /v1/tickets/{id}": #"{"subject": "Hijacked"}"#,
        "POST /v1/tickets/{id}/respond": #"{"body": "hello"}"#,
        "POST /v1/tickets/{id}/progress": #"{"note": "hello"}"#,
        "POST /v1/tickets/{id}/notes": #"{"body": "hello"}"#,
        "POST /v1/tickets/{id}/request-info": #"{"body": "hello"}"#,
        "POST /v1/tickets/{id}/customer-reply": #"{"body": "hello"}"#,
        "POST /v1/tickets/{id}/plan": #"{"body": "hello"}"#,
        "POST /v1/tickets/{id}/resolve": #"{"solution_summary": "done"}"#,
        "POST /v1/tickets/{id}/reopen": #"{"reason": "again"}"#,
        "POST /v1/tickets/{id}/department-blocker": #"{"reason": "blocked"}"#,
        "POST /v1/tickets/{id}/department-solved": #"{"body": "ready"}"#,
        "POST /v1/tickets/{id}/department-reply": #"{"body": "done"}"#,
        "POST /v1/tickets/{id}/plan/reject": #"{"reason": "no"}"#,
        "POST /v1/tickets/{id}/team":
            #"{"member_ids": ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"], "lead_id": "00000000-0000-0000-0000-000000000001", "deadline": "2199-01-01T00:00:00Z"}"#,
        "PATCH /v1/webhooks/{id}": #"{"active": false}"#,
        "PATCH /v1/robots/{id}": #"{"active": false}"#,
        "POST /v1/tickets/{id}/merge": #"{"into": "0d9f3c1e-7a52-4c7b-9b1e-2f6a8d4e5c3b"}"#,
        "POST /v1/followups/{id}/complete": #"{"solved": true, "satisfied": true, "notes": "ok"}"#,
        "PATCH /v1/incidents/{id}/review": #"{"foreseeable": "x"}"#,
        "PATCH /v1/problem-reports/{id}": #"{"problem": "Hijacked"}"#,
        "PATCH /v1/kb/articles/{id}": #"{"title": "Hijacked"}"#,
        "POST /v1/kb/articles/{id}/votes": #"{"helpful": true}"#,
        "POST /v1/training/courses/{id}/sessions":
            #"{"starts_at": "2026-01-05T01:00:00Z", "ends_at": "2026-01-05T03:00:00Z", "trainer": "T", "location": "L"}"#,
        "POST /v1/training/enrolments/{id}/assessments": #"{"theory_score": 90, "practical_score": 90}"#,
        "POST /v1/tickets/{id}/qa-reviews": #"{"score": 90, "checklist": [], "comments": "fine"}"#,
        "POST /v1/agents/{id}/complaints": #"{"description": "rude"}"#,
    ]

    /// Routes whose parameter is not a tenant's id: survey answers and inbound mail are reached by
    /// their secret token with no key at all (`InboundEmailTests` proves a token is tenant-bound);
    /// template names and languages are the same for every tenant (each tenant's overrides are its
    /// own: `CustomerTemplateTests`); a gateway's channel is a channel name (its tenants are kept
    /// apart in `ChannelMessageTests`).
    private static let notTenantScoped: Set<String> = [
        "/v1/surveys/{token}", "/v1/inbound/email/{token}", "/v1/templates/{name}/{locale}",
        "/v1/channels/{channel}/messages",
    ]

    func testTenantBsKeyOnTenantAsIdsIsAMissingIdAndChangesNothing() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let routes = RouteTable()
        let ids = try await seed(a)
        let before = try await snapshot(a.tenant.id)
        let secrets = try await identifiers(a.tenant.id)
        let covered = try await withAPI(routes: routes) { api in
            var covered = 0
            for route in routes.routes where route.path.hasPrefix("/v1/") && !route.parameters.isEmpty {
                guard !Self.notTenantScoped.contains(route.path) else { continue }
                let foreign = try Self.fill(route, with: { kind in ids[kind] })
                let missing = try Self.fill(route, with: { kind in kind == "version" ? "1" : UUID().uuidString })
                let known = Self.bodies["\(route.method) \(route.path)"]
                let body = known ?? (route.method == .get || route.method == .delete ? nil : "{}")
                let replyForeign = try await api.send(route.method, foreign, key: b.apiKey, body: body)
                let replyMissing = try await api.send(route.method, missing, key: b.apiKey, body: body)
                XCTAssertFalse((200..<300).contains(replyForeign.status.code), "\(route): \(replyForeign.raw)")
                if known != nil || body == nil {
                    XCTAssertEqual(replyForeign.status, .notFound, "\(route): \(replyForeign.raw)")
                }
                XCTAssertEqual(replyForeign.status, replyMissing.status, "\(route) tells a foreign id from a missing one")
                XCTAssertEqual(replyForeign.raw, replyMissing.raw, "\(route) tells a foreign id from a missing one")
                Self.assertNothingOf(secrets, in: replyForeign.raw, "\(route)")
                covered += 1
            }
            // Lists with filters naming A's ids: nothing of A, whatever the filter.
            // The live stream stays open (its tenants are kept apart in LiveStreamTests).
            for route in routes.routes
            where route.path.hasPrefix("/v1/") && route.parameters.isEmpty && route.method == .get && route.path != "/v1/stream" {
                for (filter, kind) in Self.listFilters {
                    guard let id = ids[kind] else { continue }
                    let reply = try await api.send(.get, "\(route.path)?\(filter)=\(id)", key: b.apiKey)
                    XCTAssertTrue([.ok, .unprocessableContent].contains(reply.status), "\(route) \(filter): \(reply.raw)")
                    Self.assertNothingOf(secrets, in: reply.raw, "\(route) ?\(filter)=")
                }
            }
            return covered
        }
        XCTAssertGreaterThan(covered, 40, "the route table lists the API's routes")
        let after = try await snapshot(a.tenant.id)
        XCTAssertEqual(before, after, "tenant B's requests changed tenant A's data")
    }

    /// Query filters that take an id, and the kind of id each names.
    private static let listFilters: [(String, String)] = [
        ("agent_id", "agents"), ("owner_id", "agents"), ("customer_id", "customers"), ("tag_id", "tags"),
        ("department_id", "departments"), ("course_id", "courses"), ("ticket_id", "tickets"), ("event_id", "events"),
    ]

    /// The path with each parameter replaced; the kind of a `{id}` is the segment before it.
    static func fill(_ route: RouteTable.Route, with value: (String) -> String?) throws -> String {
        var previous = ""
        var parts: [String] = []
        for segment in route.segments {
            if segment.hasPrefix("{") {
                let name = String(segment.dropFirst().dropLast())
                let kind = name == "id" ? previous : name
                guard let filled = value(kind) else {
                    throw SeedingGap("no id of kind '\(kind)' for \(route): seed one in CrossTenantMatrixTests.seed")
                }
                parts.append(filled)
            } else {
                parts.append(String(segment))
                previous = String(segment)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func assertNothingOf(
        _ secrets: Set<String>,
        in raw: String,
        _ context: String,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let lowered = raw.lowercased()
        for secret in secrets where lowered.contains(secret) {
            XCTFail("\(context) shows tenant A's id \(secret): \(raw)", file: file, line: line)
        }
    }

    /// Creates one of everything in tenant A through the API; returns the ids by kind.
    private func seed(_ a: TenantCreation) async throws -> [String: String] {
        var ids = try await withAPI { api in
            var ids: [String: String] = ["version": "1"]
            func create(_ path: String, _ body: [String: Any], kind: String, idPath: [String] = ["id"]) async throws {
                let reply = try await api.post(path, key: a.apiKey, json(body))
                XCTAssertTrue([.ok, .created].contains(reply.status), "\(path): \(reply.raw)")
                var value: JSONValue? = reply.body
                for key in idPath { value = value?[key] }
                ids[kind] = try require(value?.string, "\(path) returned no id: \(reply.raw)")
            }
            try await create("/v1/departments", ["name": "Legal"], kind: "departments")
            try await create("/v1/agents", ["name": "A Agent", "email": "agent@alpha.cn", "role": "supervisor"], kind: "agents")
            try await create("/v1/customers", ["name": "A Customer"], kind: "customers")
            try await create("/v1/tags", ["name": "Payments"], kind: "tags")
            try await create("/v1/routing-rules", ["name": "Refunds", "keywords": ["refund"]], kind: "routing-rules")
            try await create("/v1/api-keys", ["name": "gateway"], kind: "api-keys", idPath: ["key", "id"])
            try await create(
                "/v1/tickets",
                [
                    "customer": ["name": "Complainer", "high_value": true], "channel": "chat", "category": "complaint",
                    "priority": "P1", "description": "Payment failed twice",
                ],
                kind: "tickets"
            )
            let ticket = try require(ids["tickets"])
            let resolved = try await api.post("/v1/tickets/\(ticket)/resolve", key: a.apiKey, json(["solution_summary": "Refunded"]))
            XCTAssertEqual(resolved.status, .ok, resolved.raw)
            try await create("/v1/kb/articles", ["title": "Refunds", "body": "How refunds work", "status": "published"], kind: "articles")
            try await create("/v1/kb/scripts", ["kind": "soothe", "name": "Calm", "body": "I understand."], kind: "scripts")
            try await create(
                "/v1/events",
                [
                    "name": "Sale", "starts_at": "2030-11-11T00:00:00Z", "ends_at": "2030-11-12T00:00:00Z",
                ],
                kind: "events"
            )
            try await create("/v1/surge/activate", [:], kind: "incidents")
            let ended = try await api.post("/v1/surge/deactivate", key: a.apiKey, "{}")
            XCTAssertEqual(ended.status, .ok, ended.raw)
            try await create(
                "/v1/training/courses",
                [
                    "name": "Empathy", "method": "internal", "content_area": "communication",
                ],
                kind: "courses"
            )
            try await create("/v1/training/enrolments", ["course_id": ids["courses"]!, "agent_id": ids["agents"]!], kind: "enrolments")
            return ids
        }
        // A problem report, as five resolutions of one leaf tag in a week would file it.
        try await ownerPool.execute(
            """
            INSERT INTO problem_reports (tenant_id, tag_id, week_start, ticket_count, due_at, created_at, updated_at)
            VALUES (\(a.tenant.id), \(UUID(uuidString: try require(ids["tags"]))), '2025-11-24', 5, now() + interval '1 day', now(), now())
            """
        )
        ids["problem-reports"] = try require(
            try await ownerPool.queryScalar(UUID.self, "SELECT id FROM problem_reports WHERE tenant_id = \(a.tenant.id)")
        ).uuidString
        // A webhook (its URL would have to resolve to a public address through the API) and a
        // delivery as the outbox writes them.
        let webhook = UUID()
        try await ownerPool.execute(
            """
            INSERT INTO webhooks (tenant_id, id, url, events, secret, created_at, updated_at)
            VALUES (\(a.tenant.id), \(webhook), 'https://crm.alpha.example/hook', '{ticket.created}', 'whsec_alpha', now(), now())
            """
        )
        try await ownerPool.execute(
            """
            INSERT INTO deliveries (tenant_id, webhook_id, event_type, status, next_attempt_at, created_at)
            VALUES (\(a.tenant.id), \(webhook), 'ticket.created', 'dead', now(), now())
            """
        )
        ids["webhooks"] = webhook.uuidString
        let robot = UUID()
        try await ownerPool.execute(
            """
            INSERT INTO robots (tenant_id, id, kind, url, audience, events, created_at, updated_at)
            VALUES (\(a.tenant.id), \(robot), 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a', 'supervisors',
                    '{sla.breached}', now(), now())
            """
        )
        ids["robots"] = robot.uuidString
        ids["deliveries"] = try require(
            try await ownerPool.queryScalar(UUID.self, "SELECT id FROM deliveries WHERE tenant_id = \(a.tenant.id)")
        ).uuidString
        // Rows the API makes as side effects: take any one of the tenant's.
        for (kind, table) in [("notifications", "notifications"), ("followups", "followups")] {
            let id = try await ownerPool.queryScalar(
                UUID.self,
                PostgresQuery(unsafeSQL: "SELECT id FROM \(table) WHERE tenant_id = '\(a.tenant.id)' LIMIT 1")
            )
            ids[kind] = try require(id, "no \(kind) row was made for tenant A").uuidString
        }
        return ids
    }

    /// Everything tenant A holds, as the export function writes it.
    private func snapshot(_ tenant: UUID) async throws -> String {
        try await ownerPool.queryScalar(String.self, "SELECT kefu_export_tenant(\(tenant))::text") ?? ""
    }

    /// Every id that appears in tenant A's data (lower-cased), the tenant's own included.
    private func identifiers(_ tenant: UUID) async throws -> Set<String> {
        let text = try await snapshot(tenant).lowercased()
        let pattern = try NSRegularExpression(pattern: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }
}

/// A route whose id kind the seed does not make: the test fails until it does.
private struct SeedingGap: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
