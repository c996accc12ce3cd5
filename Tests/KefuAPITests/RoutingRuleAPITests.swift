import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class RoutingRuleAPITests: APITestCase {
    func testRoutingRulesAreCreatedListedInOrderUpdatedAndDeleted() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let refund = try await api.post(
                "/v1/routing-rules",
                key: a.apiKey,
                json([
                    "name": "Refunds", "position": 20, "keywords": [" Refund ", "REFUND", "退款"], "category": "complaint",
                    "channel": "web_form", "skill": "Refund", "min_tier": "mid", "max_tier": "senior", "priority": "P2",
                ])
            )
            XCTAssertEqual(refund.status, .created, refund.raw)
            XCTAssertEqual(refund["keywords"]?.array?.compactMap(\.string), ["refund", "退款"], "trimmed, lowercased, no repeats")
            XCTAssertEqual(refund["skill"]?.string, "refund")
            XCTAssertEqual(refund["channel"]?.string, "web_form")
            XCTAssertEqual(refund["active"]?.bool, true)
            let refundID = try require(refund["id"]?.string)
            let vip = try await api.post(
                "/v1/routing-rules",
                key: a.apiKey,
                json([
                    "name": "VIPs to seniors", "position": 10, "segment": "vip", "new_customer": false, "min_tier": "senior",
                ])
            )
            XCTAssertEqual(vip.status, .created, vip.raw)
            let defaults = try await api.post(
                "/v1/routing-rules",
                key: a.apiKey,
                json(["name": "New customers", "new_customer": true, "max_tier": "junior"])
            )
            XCTAssertEqual(defaults["position"]?.number, 100)
            XCTAssertEqual(defaults["keywords"]?.array?.count, 0)

            let list = try await api.get("/v1/routing-rules", key: a.apiKey)
            XCTAssertEqual(list["items"]?.array?.compactMap { $0["name"]?.string }, ["VIPs to seniors", "Refunds", "New customers"])

            // A merge patch: absent fields stay, null clears a condition.
            let patched = try await api.patch(
                "/v1/routing-rules/\(refundID)",
                key: a.apiKey,
                json(["channel": NSNull(), "priority": "P1", "active": false])
            )
            XCTAssertEqual(patched.status, .ok, patched.raw)
            XCTAssertNil(patched["channel"], "cleared")
            XCTAssertEqual(patched["priority"]?.string, "P1")
            XCTAssertEqual(patched["skill"]?.string, "refund", "absent fields stay as they were")
            XCTAssertEqual(patched["keywords"]?.array?.count, 2)
            XCTAssertEqual(patched["active"]?.bool, false)
            let id = try require(UUID(uuidString: refundID))
            let stored = try await owner.queryFirst(
                """
                SELECT channel, priority, skill, keywords, min_tier, active FROM routing_rules WHERE id = \(id)
                """
            )
            XCTAssertEqual(try stored?.decode(String?.self, "channel"), nil)
            XCTAssertEqual(try stored?.decode(String.self, "priority"), "P1")
            XCTAssertEqual(try stored?.decode([String].self, "keywords"), ["refund", "退款"])
            XCTAssertEqual(try stored?.decode(String.self, "min_tier"), "mid")
            XCTAssertEqual(try stored?.decode(Bool.self, "active"), false)

            let deleted = try await api.delete("/v1/routing-rules/\(refundID)", key: a.apiKey)
            XCTAssertEqual(deleted.status, .noContent)
            let gone = try await api.get("/v1/routing-rules/\(refundID)", key: a.apiKey)
            XCTAssertEqual(gone.status, .notFound)
            let again = try await api.delete("/v1/routing-rules/\(refundID)", key: a.apiKey)
            XCTAssertEqual(again.status, .notFound)
        }
        let count = try await owner.queryScalar(Int.self, "SELECT count(*) FROM routing_rules")
        XCTAssertEqual(count, 2)
    }

    func testBadRulesAreRefusedNamingTheFieldAndWriteNothing() async throws {
        let a = try await makeTenant("alpha")
        let rule = try await services.routingRules.create(a.tenant.id, NewRoutingRule(name: "Billing", skill: "billing", maxTier: "mid"))
        let owner = ownerPool!
        try await withAPI { api in
            let cases: [([String: Any], String)] = [
                (["name": "X", "min_tier": "senior", "max_tier": "junior"], "min_tier"),
                (["name": "X", "channel": "fax"], "channel"),
                (["name": "X", "category": "praise"], "category"),
                (["name": "X", "priority": "P5"], "priority"),
                (["name": "X", "segment": "gold"], "segment"),
                (["name": "X", "min_tier": "expert"], "min_tier"),
                (["name": "X", "skill": "Bad Skill!"], "skill"),
                (["name": "X", "keywords": ["refund", "  "]], "keywords[1]"),
                (["name": "X", "keywords": [String(repeating: "k", count: 51)]], "keywords[0]"),
                (["name": "X", "keywords": (0...50).map { "word\($0)" }], "keywords"),
                (["name": "X", "position": -1], "position"),
                (["name": "X", "position": "first"], "position"),
                (["name": "X", "new_customer": "yes"], "new_customer"),
                (["name": " "], "name"),
                (["skill": "refund"], "name"),
            ]
            for (body, field) in cases {
                let reply = try await api.post("/v1/routing-rules", key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, "\(body) → \(reply.raw)")
                XCTAssertEqual(reply.errorCode, "invalid_field", reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            // An update is checked against the rule it produces: min_tier above the stored max_tier.
            let path = "/v1/routing-rules/\(rule.id)"
            for (body, field) in [(["min_tier": "senior"], "min_tier"), (["channel": "fax"], "channel"), (["name": ""], "name")] {
                let reply = try await api.patch(path, key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            let widened = try await api.patch(path, key: a.apiKey, json(["min_tier": "senior", "max_tier": NSNull()]))
            XCTAssertEqual(widened.status, .ok, "with max_tier cleared the same min_tier is fine: \(widened.raw)")
        }
        let count = try await owner.queryScalar(Int.self, "SELECT count(*) FROM routing_rules")
        XCTAssertEqual(count, 1, "no refused request wrote a rule")
        let stored = try await owner.queryFirst("SELECT name, channel, min_tier, max_tier FROM routing_rules WHERE id = \(rule.id)")
        XCTAssertEqual(try stored?.decode(String.self, "name"), "Billing")
        XCTAssertEqual(try stored?.decode(String?.self, "channel"), nil)
        XCTAssertEqual(try stored?.decode(String.self, "min_tier"), "senior")
        XCTAssertEqual(try stored?.decode(String?.self, "max_tier"), nil)
    }

    func testOnlyAdminsChangeRoutingRulesAndEveryoneReadsThem() async throws {
        let a = try await makeTenant("alpha")
        let rule = try await services.routingRules.create(a.tenant.id, NewRoutingRule(name: "Refunds", keywords: ["refund"], skill: "refund"))
        let supervisor = try await key(for: "supervisor", in: a)
        let agent = try await key(for: "agent", in: a)
        let owner = ownerPool!
        try await withAPI { api in
            let value1 = try await api.get("/v1/routing-rules", key: agent).status
            XCTAssertEqual(value1, .ok)
            let value2 = try await api.get("/v1/routing-rules/\(rule.id)", key: agent).status
            XCTAssertEqual(value2, .ok)
            let create = try await api.post("/v1/routing-rules", key: supervisor, json(["name": "Mine"]))
            XCTAssertEqual(create.status, .forbidden)
            let patch = try await api.patch("/v1/routing-rules/\(rule.id)", key: supervisor, json(["active": false]))
            XCTAssertEqual(patch.status, .forbidden)
            let delete = try await api.delete("/v1/routing-rules/\(rule.id)", key: agent)
            XCTAssertEqual(delete.status, .forbidden)
        }
        let active = try await owner.queryScalar(Bool.self, "SELECT active FROM routing_rules WHERE id = \(rule.id)")
        XCTAssertEqual(active, true)
    }

    func testAnotherTenantsRulesAreNotFoundAndUnchanged() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let rule = try await services.routingRules.create(a.tenant.id, NewRoutingRule(name: "Refunds", keywords: ["refund"], skill: "refund"))
        let owner = ownerPool!
        try await withAPI { api in
            let read = try await api.get("/v1/routing-rules/\(rule.id)", key: b.apiKey)
            XCTAssertEqual(read.status, .notFound)
            let missing = try await api.get("/v1/routing-rules/\(UUID())", key: b.apiKey)
            XCTAssertEqual(missing.raw, read.raw, "a foreign id must be indistinguishable from a missing one")
            let patch = try await api.patch("/v1/routing-rules/\(rule.id)", key: b.apiKey, json(["name": "Hijacked", "active": false]))
            XCTAssertEqual(patch.status, .notFound)
            let delete = try await api.delete("/v1/routing-rules/\(rule.id)", key: b.apiKey)
            XCTAssertEqual(delete.status, .notFound)
            let list = try await api.get("/v1/routing-rules", key: b.apiKey)
            XCTAssertEqual(list["items"]?.array?.count, 0)
        }
        let stored = try await owner.queryFirst("SELECT name, active FROM routing_rules WHERE id = \(rule.id)")
        XCTAssertEqual(try stored?.decode(String.self, "name"), "Refunds")
        XCTAssertEqual(try stored?.decode(Bool.self, "active"), true)
    }

    func testActiveRulesAreTheTenantsActiveRulesInEvaluationOrder() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let rules = services.routingRules
        let late = try await rules.create(a.tenant.id, NewRoutingRule(name: "late", position: 50))
        let firstOfTen = try await rules.create(a.tenant.id, NewRoutingRule(name: "first of 10", position: 10))
        let secondOfTen = try await rules.create(a.tenant.id, NewRoutingRule(name: "second of 10", position: 10))
        _ = try await rules.create(a.tenant.id, NewRoutingRule(name: "inactive", position: 1, active: false))
        _ = try await rules.create(b.tenant.id, NewRoutingRule(name: "bravo's", position: 0))
        let active = try await services.database.transaction(a.tenant.id, readOnly: true) { tx in
            try await RoutingRuleStore.activeRules(tx)
        }
        XCTAssertEqual(active.map(\.id), [firstOfTen.id, secondOfTen.id, late.id])
        let all = try await rules.list(a.tenant.id)
        XCTAssertEqual(all.map(\.name), ["inactive", "first of 10", "second of 10", "late"])
    }

    /// An API key of a new agent with `role`.
    private func key(for role: String, in tenant: TenantCreation) async throws -> String {
        let agent = try await services.agents.create(tenant.tenant.id, NewAgent(name: role, email: "\(role)@\(tenant.tenant.slug).cn", role: role))
        return try await services.apiKeys.create(tenant.tenant.id, agentID: agent.id, name: role).apiKey
    }
}
