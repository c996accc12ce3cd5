import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class CustomerAPITests: APITestCase {
    func testCreateReadAndUpdateACustomer() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let created = try await api.post(
                "/v1/customers",
                key: a.apiKey,
                json([
                    "name": " 王芳 ", "external_id": "crm-42", "segment": "vip", "high_value": true,
                    "contacts": [
                        ["kind": "email", "value": "Wang.Fang@Example.cn", "consent": true],
                        ["kind": "phone", "value": "+86 138 0000 0000", "consent": true],
                    ],
                ])
            )
            XCTAssertEqual(created.status, .created, created.raw)
            XCTAssertEqual(created["name"]?.string, "王芳")
            XCTAssertEqual(created["segment"]?.string, "vip")
            XCTAssertEqual(created["high_value"]?.bool, true)
            XCTAssertEqual(created["contacts"]?.array?.first?["value"]?.string, "wang.fang@example.cn")
            XCTAssertNotNil(created["first_seen_at"]?.string)
            let id = try require(created["id"]?.string)

            let fetched = try await api.get("/v1/customers/\(id)", key: a.apiKey)
            XCTAssertEqual(fetched.status, .ok)
            XCTAssertEqual(fetched["external_id"]?.string, "crm-42")

            let updated = try await api.patch("/v1/customers/\(id)", key: a.apiKey, json(["segment": "enterprise", "high_value": false]))
            XCTAssertEqual(updated.status, .ok, updated.raw)
            XCTAssertEqual(updated["segment"]?.string, "enterprise")
            XCTAssertEqual(updated["high_value"]?.bool, false)
            XCTAssertEqual(updated["name"]?.string, "王芳", "absent fields stay as they were")
            XCTAssertEqual(updated["contacts"]?.array?.count, 2, "absent contacts stay as they were")

            let replaced = try await api.patch(
                "/v1/customers/\(id)",
                key: a.apiKey,
                json([
                    "name": "王芳芳", "external_id": "crm-43", "contacts": [["kind": "chat", "value": "wangfang_wx", "consent": true]],
                ])
            )
            XCTAssertEqual(replaced.status, .ok, replaced.raw)
            XCTAssertEqual(replaced["contacts"]?.array?.compactMap { $0["kind"]?.string }, ["chat"])
            let other = try await api.post("/v1/customers", key: a.apiKey, json(["name": "Other", "external_id": "crm-99"]))
            XCTAssertEqual(other.status, .created)
            let taken = try await api.patch("/v1/customers/\(id)", key: a.apiKey, json(["external_id": "crm-99"]))
            XCTAssertEqual(taken.status, .conflict, taken.raw)

            let stored = try await owner.queryFirst(
                """
                SELECT name, external_id, segment, high_value, jsonb_array_length(contacts) AS contacts, contacts->0->>'value' AS first
                FROM customers WHERE id = \(try require(UUID(uuidString: id)))
                """
            )
            XCTAssertEqual(try stored?.decode(String.self, "name"), "王芳芳")
            XCTAssertEqual(try stored?.decode(String.self, "external_id"), "crm-43")
            XCTAssertEqual(try stored?.decode(String.self, "segment"), "enterprise")
            XCTAssertEqual(try stored?.decode(Bool.self, "high_value"), false)
            XCTAssertEqual(try stored?.decode(Int.self, "contacts"), 1)
            XCTAssertEqual(try stored?.decode(String.self, "first"), "wangfang_wx")
        }
    }

    func testContactsWithoutConsentAndOtherBadInputAreRefusedAndWriteNothing() async throws {
        let a = try await makeTenant("alpha")
        let existing = try await services.customers.create(a.tenant.id, NewCustomer(name: "Acme", externalId: "crm-1"))
        let owner = ownerPool!
        try await withAPI { api in
            let cases: [([String: Any], String)] = [
                (["name": "X", "contacts": [["kind": "phone", "value": "+86 138 0000 0000", "consent": false]]], "contacts[0].consent"),
                (["name": "X", "contacts": [["kind": "phone", "value": "+86 138 0000 0000"]]], "contacts[0].consent"),
                (["name": "X", "contacts": [["kind": "email", "value": "not-an-email", "consent": true]]], "contacts[0].value"),
                (["name": "X", "contacts": [["kind": "fax", "value": "123", "consent": true]]], "contacts[0].kind"),
                (["name": "X", "segment": "gold"], "segment"),
                (["name": "  "], "name"),
                (["segment": "vip"], "name"),
            ]
            for (body, field) in cases {
                let reply = try await api.post("/v1/customers", key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorCode, "invalid_field", reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            let duplicate = try await api.post("/v1/customers", key: a.apiKey, json(["name": "Other", "external_id": "crm-1"]))
            XCTAssertEqual(duplicate.status, .conflict, duplicate.raw)

            let path = "/v1/customers/\(existing.id)"
            let patches: [([String: Any], String)] = [
                (["segment": "gold"], "segment"),
                (["contacts": [["kind": "email", "value": "a@acme.com", "consent": false]]], "contacts[0].consent"),
                (["name": ""], "name"),
                (["high_value": "yes"], "high_value"),
            ]
            for (body, field) in patches {
                let reply = try await api.patch(path, key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            let badFilter = try await api.get("/v1/customers?segment=gold", key: a.apiKey)
            XCTAssertEqual(badFilter.status, .unprocessableContent)
            XCTAssertEqual(badFilter.errorField, "segment")
        }
        let count = try await owner.queryScalar(Int.self, "SELECT count(*) FROM customers")
        XCTAssertEqual(count, 1, "no refused request wrote a customer")
        let stored = try await owner.queryFirst("SELECT name, segment, contacts::text AS contacts FROM customers WHERE id = \(existing.id)")
        XCTAssertEqual(try stored?.decode(String.self, "name"), "Acme")
        XCTAssertEqual(try stored?.decode(String.self, "segment"), "regular")
        XCTAssertEqual(try stored?.decode(String.self, "contacts"), "[]")
    }

    func testSearchFindsCustomersByAnyPartOfTheNameIgnoringCase() async throws {
        let a = try await makeTenant("alpha")
        for (name, segment) in [
            ("王芳", "vip"), ("王小明", "regular"), ("李雷", "regular"), ("Acme Ltd", "enterprise"),
            ("Globex", "enterprise"), ("100% Cotton", "regular"),
        ] {
            _ = try await services.customers.create(a.tenant.id, NewCustomer(name: name, segment: segment))
            clock.advance(by: 1)
        }
        try await withAPI { api in
            func names(_ path: String) async throws -> [String] {
                let reply = try await api.get(path, key: a.apiKey)
                XCTAssertEqual(reply.status, .ok, reply.raw)
                return (reply["items"]?.array ?? []).compactMap { $0["name"]?.string }
            }
            let byHan = try await names("/v1/customers?q=\(Self.escape("王"))")
            XCTAssertEqual(byHan, ["王芳", "王小明"])
            let byFullName = try await names("/v1/customers?q=\(Self.escape("王芳"))")
            XCTAssertEqual(byFullName, ["王芳"])
            let byLowercase = try await names("/v1/customers?q=acm")
            XCTAssertEqual(byLowercase, ["Acme Ltd"])
            let byUppercaseMiddle = try await names("/v1/customers?q=LOBE")
            XCTAssertEqual(byUppercaseMiddle, ["Globex"])
            let wildcardIsLiteral = try await names("/v1/customers?q=\(Self.escape("%"))")
            XCTAssertEqual(wildcardIsLiteral, ["100% Cotton"])
            let underscoreIsLiteral = try await names("/v1/customers?q=_")
            XCTAssertEqual(underscoreIsLiteral, [])
            let bySegment = try await names("/v1/customers?segment=enterprise")
            XCTAssertEqual(bySegment, ["Acme Ltd", "Globex"])
            let combined = try await names("/v1/customers?q=\(Self.escape("王"))&segment=vip")
            XCTAssertEqual(combined, ["王芳"])
            let everyone = try await names("/v1/customers")
            XCTAssertEqual(everyone.count, 6)
            let empty = try await api.get("/v1/customers?q=", key: a.apiKey)
            XCTAssertEqual(empty.errorField, "q", "an empty parameter is refused like every other (leave it out instead)")

            // Pagination keeps the filter: one page per match.
            let first = try await api.get("/v1/customers?q=\(Self.escape("王"))&limit=1", key: a.apiKey)
            XCTAssertEqual(first["items"]?.array?.count, 1)
            let cursor = try require(first["next_cursor"]?.string)
            let second = try await api.get("/v1/customers?q=\(Self.escape("王"))&limit=1&cursor=\(cursor)", key: a.apiKey)
            XCTAssertEqual(second["items"]?.array?.first?["name"]?.string, "王小明")
            XCTAssertNil(second["next_cursor"]?.string)
        }
    }

    func testTicketHistoryListsOnlyThatCustomersTicketsNewestFirst() async throws {
        let a = try await makeTenant("alpha")
        let wang = try await services.customers.create(a.tenant.id, NewCustomer(name: "王芳"))
        let li = try await services.customers.create(a.tenant.id, NewCustomer(name: "李雷"))
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        try await insertTicket(a.tenant.id, number: 1, customer: wang.id, at: start, subject: "付款失败", resolvedAt: start + 600)
        try await insertTicket(a.tenant.id, number: 2, customer: li.id, at: start + 60, subject: "Someone else's")
        try await insertTicket(a.tenant.id, number: 123, customer: wang.id, at: start + 120, subject: "Refund please")
        try await insertTicket(a.tenant.id, number: 1_234_567, customer: wang.id, at: start + 180, subject: nil)
        try await withAPI { api in
            let first = try await api.get("/v1/customers/\(wang.id)/tickets?limit=2", key: a.apiKey)
            XCTAssertEqual(first.status, .ok, first.raw)
            let firstItems = first["items"]?.array ?? []
            XCTAssertEqual(firstItems.compactMap { $0["number"]?.string }, ["T-1234567", "T-000123"])
            XCTAssertEqual(firstItems.last?["subject"]?.string, "Refund please")
            XCTAssertEqual(firstItems.last?["status"]?.string, "new")
            XCTAssertEqual(firstItems.last?["priority"]?.string, "P3")
            XCTAssertEqual(firstItems.last?["category"]?.string, "inquiry")
            XCTAssertEqual(firstItems.last?["channel"]?.string, "email")
            let cursor = try require(first["next_cursor"]?.string)

            let second = try await api.get("/v1/customers/\(wang.id)/tickets?limit=2&cursor=\(cursor)", key: a.apiKey)
            let secondItems = second["items"]?.array ?? []
            XCTAssertEqual(secondItems.compactMap { $0["number"]?.string }, ["T-000001"])
            XCTAssertEqual(secondItems.first?["subject"]?.string, "付款失败")
            XCTAssertEqual(secondItems.first?["status"]?.string, "resolved")
            XCTAssertNotNil(secondItems.first?["resolved_at"]?.string)
            XCTAssertNil(second["next_cursor"]?.string)

            let other = try await api.get("/v1/customers/\(li.id)/tickets", key: a.apiKey)
            XCTAssertEqual(other["items"]?.array?.compactMap { $0["number"]?.string }, ["T-000002"])
            let unknown = try await api.get("/v1/customers/\(UUID())/tickets", key: a.apiKey)
            XCTAssertEqual(unknown.status, .notFound)
        }
    }

    func testAnotherTenantsCustomersAreNotFoundAndUnchanged() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let customer = try await services.customers.create(a.tenant.id, NewCustomer(name: "Acme", externalId: "crm-1"))
        try await insertTicket(a.tenant.id, number: 1, customer: customer.id, at: Date(timeIntervalSince1970: 1_764_000_000), subject: "secret")
        let owner = ownerPool!
        try await withAPI { api in
            for path in ["/v1/customers/\(customer.id)", "/v1/customers/\(customer.id)/tickets"] {
                let reply = try await api.get(path, key: b.apiKey)
                XCTAssertEqual(reply.status, .notFound, path)
                XCTAssertEqual(reply.errorCode, "not_found")
            }
            let missing = try await api.get("/v1/customers/\(UUID())", key: b.apiKey)
            let foreign = try await api.get("/v1/customers/\(customer.id)", key: b.apiKey)
            XCTAssertEqual(missing.raw, foreign.raw, "a foreign id must be indistinguishable from a missing one")
            let patch = try await api.patch("/v1/customers/\(customer.id)", key: b.apiKey, json(["name": "Hijacked", "segment": "vip"]))
            XCTAssertEqual(patch.status, .notFound)
            let search = try await api.get("/v1/customers?q=acm", key: b.apiKey)
            XCTAssertEqual(search["items"]?.array?.count, 0)
            // The same external id in another tenant is a different customer, not a conflict.
            let own = try await api.post("/v1/customers", key: b.apiKey, json(["name": "Bravo's Acme", "external_id": "crm-1"]))
            XCTAssertEqual(own.status, .created, own.raw)
        }
        let stored = try await owner.queryFirst("SELECT name, segment FROM customers WHERE id = \(customer.id)")
        XCTAssertEqual(try stored?.decode(String.self, "name"), "Acme")
        XCTAssertEqual(try stored?.decode(String.self, "segment"), "regular")
    }

    func testQAReadsCustomersButOnlyAgentsSupervisorsAndAdminsWriteThem() async throws {
        let a = try await makeTenant("alpha")
        let customer = try await services.customers.create(a.tenant.id, NewCustomer(name: "Acme"))
        let qa = try await key(for: "qa", in: a)
        let agent = try await key(for: "agent", in: a)
        let supervisor = try await key(for: "supervisor", in: a)
        let owner = ownerPool!
        try await withAPI { api in
            let value1 = try await api.get("/v1/customers/\(customer.id)", key: qa).status
            XCTAssertEqual(value1, .ok)
            let value2 = try await api.get("/v1/customers", key: qa).status
            XCTAssertEqual(value2, .ok)
            let qaCreate = try await api.post("/v1/customers", key: qa, json(["name": "By QA"]))
            XCTAssertEqual(qaCreate.status, .forbidden)
            XCTAssertEqual(qaCreate.errorCode, "forbidden")
            let qaPatch = try await api.patch("/v1/customers/\(customer.id)", key: qa, json(["name": "By QA"]))
            XCTAssertEqual(qaPatch.status, .forbidden)
            let value3 = try await api.post("/v1/customers", key: agent, json(["name": "By agent"])).status
            XCTAssertEqual(value3, .created)
            let value4 = try await api.patch("/v1/customers/\(customer.id)", key: supervisor, json(["high_value": true])).status
            XCTAssertEqual(value4, .ok)
        }
        let names = try await owner.query("SELECT name FROM customers ORDER BY name").map { try $0.decode(String.self, "name") }
        XCTAssertEqual(names, ["Acme", "By agent"])
    }

    // MARK: - Arrangement

    /// A ticket row written directly (intake is not under test here).
    private func insertTicket(
        _ tenantID: UUID,
        number: Int,
        customer: UUID,
        at createdAt: Date,
        subject: String?,
        resolvedAt: Date? = nil
    ) async throws {
        let status = resolvedAt == nil ? "new" : "resolved"
        try await ownerPool.execute(
            """
            INSERT INTO tickets (tenant_id, number, customer_id, channel, subject, description, category, priority, status,
                                 created_at, resolved_at, updated_at)
            VALUES (\(tenantID), \(number), \(customer), 'email', \(subject), 'description', 'inquiry', 'P3', \(status),
                    \(createdAt), \(resolvedAt), \(createdAt))
            """
        )
    }

    /// An API key of a new agent with `role`.
    private func key(for role: String, in tenant: TenantCreation) async throws -> String {
        let agent = try await services.agents.create(tenant.tenant.id, NewAgent(name: role, email: "\(role)@\(tenant.tenant.slug).cn", role: role))
        return try await services.apiKeys.create(tenant.tenant.id, agentID: agent.id, name: role).apiKey
    }

    /// Percent-encodes everything but ASCII letters and digits.
    private static func escape(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
