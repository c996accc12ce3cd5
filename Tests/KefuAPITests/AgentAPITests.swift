import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class AgentAPITests: APITestCase {
    func testCreateReadUpdateAgents() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let created = try await api.post(
                "/v1/agents",
                key: a.apiKey,
                json([
                    "name": "王芳", "email": "Wang.Fang@Alpha.cn", "role": "agent", "tier": "mid",
                    "skills": ["refund", "billing", "refund"], "duty_status": "reserve",
                ])
            )
            XCTAssertEqual(created.status, .created, created.raw)
            XCTAssertEqual(created["email"]?.string, "wang.fang@alpha.cn")
            XCTAssertEqual(created["skills"]?.array?.compactMap(\.string), ["refund", "billing"])
            XCTAssertEqual(created["duty_status"]?.string, "reserve")
            let id = try require(created["id"]?.string)

            let fetched = try await api.get("/v1/agents/\(id)", key: a.apiKey)
            XCTAssertEqual(fetched["name"]?.string, "王芳")
            let updated = try await api.patch("/v1/agents/\(id)", key: a.apiKey, json(["tier": "senior", "duty_status": "on_duty"]))
            XCTAssertEqual(updated.status, .ok)
            XCTAssertEqual(updated["tier"]?.string, "senior")
            XCTAssertEqual(updated["name"]?.string, "王芳", "absent fields stay as they were")
            let stored = try await owner.queryFirst("SELECT tier, duty_status FROM agents WHERE id = \(try require(UUID(uuidString: id)))")
            XCTAssertEqual(try stored?.decode(String.self, "tier"), "senior")
            XCTAssertEqual(try stored?.decode(String.self, "duty_status"), "on_duty")
        }
    }

    func testBadInputGetsAClearErrorAndWritesNothing() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI(maxBodyBytes: 2048) { api in
            let cases: [(String, HTTPResponse.Status, String?, String?)] = [
                ("{not json", .badRequest, "malformed_json", nil),
                ("", .unprocessableContent, "invalid_field", "body"),
                (json(["name": "X", "role": "agent"]), .unprocessableContent, "invalid_field", "email"),
                (json(["name": 42, "email": "x@alpha.cn", "role": "agent"]), .unprocessableContent, "invalid_field", "name"),
                (json(["name": "X", "email": "x@alpha.cn", "role": "boss"]), .unprocessableContent, "invalid_field", "role"),
                (json(["name": "X", "email": "not-an-email", "role": "agent"]), .unprocessableContent, "invalid_field", "email"),
                (
                    json(["name": "X", "email": "x@alpha.cn", "role": "agent", "skills": ["Bad Skill!"]]), .unprocessableContent, "invalid_field",
                    "skills"
                ),
                (
                    json(["name": "'; DROP TABLE agents; --", "email": "x@alpha.cn", "role": "agent", "department_id": UUID().uuidString]),
                    .unprocessableContent, "invalid_field", "department_id"
                ),
                (
                    json(["name": String(repeating: "长", count: 3000), "email": "x@alpha.cn", "role": "agent"]), .contentTooLarge,
                    "payload_too_large", nil
                ),
            ]
            for (body, status, code, field) in cases {
                let reply = try await api.post("/v1/agents", key: a.apiKey, body)
                XCTAssertEqual(reply.status, status, "\(body.prefix(60)) → \(reply.raw)")
                XCTAssertEqual(reply.errorCode, code, reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            let duplicate = try await api.post("/v1/agents", key: a.apiKey, json(["name": "Admin 2", "email": a.admin.email, "role": "agent"]))
            XCTAssertEqual(duplicate.status, .conflict)
            let badLimit = try await api.get("/v1/agents?limit=0", key: a.apiKey)
            XCTAssertEqual(badLimit.errorField, "limit")
            let badCursor = try await api.get("/v1/agents?cursor=garbage", key: a.apiKey)
            XCTAssertEqual(badCursor.errorField, "cursor")
            let notAnID = try await api.get("/v1/agents/not-a-uuid", key: a.apiKey)
            XCTAssertEqual(notAnID.status, .notFound)
        }
        let agents = try await owner.queryScalar(Int.self, "SELECT count(*) FROM agents")
        XCTAssertEqual(agents, 1, "only the admin exists: no failed request wrote anything")
    }

    func testTheLastAdminCannotBeDemoted() async throws {
        let a = try await makeTenant("alpha")
        try await withAPI { api in
            let reply = try await api.patch("/v1/agents/\(a.admin.id)", key: a.apiKey, json(["role": "agent"]))
            XCTAssertEqual(reply.status, .conflict)
        }
    }

    func testCursorPaginationWalksEveryAgentOnce() async throws {
        let a = try await makeTenant("alpha")
        for n in 0..<6 {
            _ = try await services.agents.create(a.tenant.id, NewAgent(name: "Agent \(n)", email: "a\(n)@alpha.cn", role: "agent"))
        }
        try await withAPI { api in
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/agents?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await api.get(path, key: a.apiKey)
                XCTAssertEqual(page.status, .ok)
                seen += (page["items"]?.array ?? []).compactMap { $0["id"]?.string }
                cursor = page["next_cursor"]?.string
                pages += 1
            } while cursor != nil && pages < 10
            XCTAssertEqual(seen.count, 7)
            XCTAssertEqual(Set(seen).count, 7)
            XCTAssertEqual(pages, 3)
        }
    }
}
