import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class SettingsAndDepartmentsTests: APITestCase {
    func testSettingsChangedOutsideTheAPIAreSeenOnTheNextRequest() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let before = try await api.get("/v1/settings", key: a.apiKey)
            XCTAssertEqual(before["settings"]?["sla"]?["complaint_first_feedback_minutes"]?.number, 5)
            // An operator's plain SQL (another process): the decoded settings are cached per stored document only.
            try await owner.execute(
                """
                UPDATE tenants SET settings = settings || '{"sla": {"complaint_first_feedback_minutes": 7}}' WHERE id = \(a.tenant.id)
                """
            )
            let after = try await api.get("/v1/settings", key: a.apiKey)
            XCTAssertEqual(after["settings"]?["sla"]?["complaint_first_feedback_minutes"]?.number, 7)
            XCTAssertEqual(after["settings"]?["sla"]?["chat_first_response_seconds"]?.number, 30)
        }
    }

    func testSettingsStartAtTheSpecDefaultsAndPatchMerges() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let defaults = try await api.get("/v1/settings", key: a.apiKey)
            XCTAssertEqual(defaults["settings"]?["locale"]?.string, "zh-CN")
            XCTAssertEqual(defaults["settings"]?["sla"]?["complaint_first_feedback_minutes"]?.number, 5)
            XCTAssertEqual(defaults["settings"]?["sla"]?["chat_first_response_seconds"]?.number, 30)
            XCTAssertEqual(defaults["settings"]?["surge"]?["trigger_ratio"]?.number, 3)
            XCTAssertEqual(defaults["settings"]?["surge"]?["window_minutes"]?.number, 15)
            XCTAssertEqual(defaults["settings"]?["auto_reply_enabled"]?.bool, true)

            let patched = try await api.patch(
                "/v1/settings",
                key: a.apiKey,
                json([
                    "timezone": "Europe/Berlin",
                    "settings": ["sla": ["complaint_first_feedback_minutes": 3], "auto_reply_enabled": false, "locale": "en"],
                ])
            )
            XCTAssertEqual(patched.status, .ok, patched.raw)
            XCTAssertEqual(patched["timezone"]?.string, "Europe/Berlin")
            XCTAssertEqual(patched["settings"]?["sla"]?["complaint_first_feedback_minutes"]?.number, 3)
            XCTAssertEqual(patched["settings"]?["sla"]?["chat_first_response_seconds"]?.number, 30, "siblings keep their values")
            XCTAssertEqual(patched["settings"]?["locale"]?.string, "en")
            XCTAssertEqual(patched["settings"]?["auto_reply_enabled"]?.bool, false)

            let rejected: [([String: Any], String)] = [
                (["settings": ["sla": ["bogus": 1]]], "settings.sla.bogus"),
                (["settings": ["sla": ["complaint_first_feedback_minutes": "soon"]]], "settings.sla.complaint_first_feedback_minutes"),
                (["settings": ["surge": ["exit_ratio": 4]]], "settings.surge.exit_ratio"),
                (["settings": ["sla": ["complaint_first_feedback_minutes": 0]]], "settings.sla.complaint_first_feedback_minutes"),
                (["settings": ["sla": ["first_response_minutes": ["p1": 5]]]], "settings.sla.first_response_minutes"),
                (["settings": ["locale": "fr"]], "settings.locale"),
                (["timezone": "Mars/Olympus"], "timezone"),
                (["slug": "renamed"], "slug"),
            ]
            for (body, field) in rejected {
                let reply = try await api.patch("/v1/settings", key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
        }
        let stored = try await owner.queryScalar(
            Int.self,
            """
            SELECT (settings #>> '{sla,complaint_first_feedback_minutes}')::int FROM tenants WHERE id = \(a.tenant.id)
            """
        )
        XCTAssertEqual(stored, 3, "rejected patches left the stored settings alone")
    }

    func testDepartmentsAreCreatedListedAndRenamed() async throws {
        let a = try await makeTenant("alpha")
        try await withAPI { api in
            let created = try await api.post("/v1/departments", key: a.apiKey, json(["name": "Warehouse", "description": "仓库"]))
            XCTAssertEqual(created.status, .created)
            let id = try require(created["id"]?.string)
            let value1 = try await api.post("/v1/departments", key: a.apiKey, json(["name": "Warehouse"])).status
            XCTAssertEqual(value1, .conflict)
            let renamed = try await api.patch("/v1/departments/\(id)", key: a.apiKey, json(["name": "Logistics"]))
            XCTAssertEqual(renamed["name"]?.string, "Logistics")
            XCTAssertEqual(renamed["description"]?.string, "仓库")
            let list = try await api.get("/v1/departments", key: a.apiKey)
            XCTAssertEqual(list["items"]?.array?.count, 1)
            let agent = try await api.post(
                "/v1/agents",
                key: a.apiKey,
                json(["name": "Ops", "email": "ops@alpha.cn", "role": "agent", "department_id": id])
            )
            XCTAssertEqual(agent["department_id"]?.string?.lowercased(), id.lowercased())
        }
    }

    func testAPIKeysAreShownOnceAndListedWithoutSecrets() async throws {
        let a = try await makeTenant("alpha")
        try await withAPI { api in
            let created = try await api.post("/v1/api-keys", key: a.apiKey, json(["name": "crm sync"]))
            XCTAssertEqual(created.status, .created)
            let secret = try require(created["api_key"]?.string)
            XCTAssertTrue(secret.hasPrefix("kefu_"))
            let value2 = try await api.get("/v1/me", key: secret).status
            XCTAssertEqual(value2, .ok)
            let list = try await api.get("/v1/api-keys", key: a.apiKey)
            XCTAssertEqual(list["items"]?.array?.count, 2)
            XCTAssertFalse(list.raw.contains(String(secret.dropFirst(12))), "listing never shows a key")
            let value3 = try await api.post("/v1/api-keys", key: a.apiKey, json(["name": "x", "agent_id": UUID().uuidString])).errorField
            XCTAssertEqual(value3, "agent_id")
        }
    }
}
