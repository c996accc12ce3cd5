import Foundation
import HTTPTypes
import KefuCore
import KefuTestSupport
import XCTest

/// The one JSON rule of the API, through the real router: strict syntax (400), unknown members,
/// misplaced nulls, wrong number kinds and control characters (422 naming the field).
final class StrictJSONTests: TicketTestCase {
    func testATrailingCommaOrOtherNonJSONIsMalformed() async throws {
        try await withAPI { [key] api in
            for body in [#"{"name": "A",}"#, #"{"name": "A"} x"#, #"[1,]"#, #"{"name": 'A'}"#, #"{"name": NaN}"#] {
                let reply = try await api.post("/v1/customers", key: key, body)
                XCTAssertEqual(reply.status, .badRequest, body)
                XCTAssertEqual(reply.errorCode, "malformed_json", body)
            }
            let twice = try await api.post("/v1/customers", key: key, #"{"name": "A", "name": "B"}"#)
            XCTAssertEqual(twice.errorField, "name", "a member given twice is ambiguous: \(twice.raw)")
            let settings = try await api.patch("/v1/settings", key: key, #"{"settings": {"surge": {"hold_minutes": 30,}}}"#)
            XCTAssertEqual(settings.status, .badRequest, settings.raw)
            let deep = try await api.post("/v1/customers", key: key, String(repeating: "[", count: 10_000))
            XCTAssertEqual(deep.status, .badRequest, "nesting is bounded, the parser does not recurse 10 000 levels")
        }
    }

    func testUnknownMembersAreRefusedNamingThemOnEveryResource() async throws {
        let agent = try await addAgent("Li Lei")
        let customer = try await withAPI { [key] api in try await api.post("/v1/customers", key: key, json(["name": "Wang"])) }
        let customerID = try XCTUnwrap(customer["id"]?.string)
        let rule = try await withAPI { [key] api in try await api.post("/v1/routing-rules", key: key, json(["name": "r", "position": 1])) }
        let ruleID = try XCTUnwrap(rule["id"]?.string, rule.raw)
        let cases: [(HTTPRequest.Method, String, String, String)] = [
            (.post, "/v1/customers", json(["name": "A", "nickname": "a"]), "nickname"),
            (.post, "/v1/customers", json(["name": "A", "firstSeenAt": "2026-01-01T00:00:00Z"]), "firstSeenAt"),
            (.patch, "/v1/customers/\(customerID)", json(["segment": "vip", "vip": true]), "vip"),
            (
                .post, "/v1/tickets", json(["customer": ["name": "A", "age": 3], "channel": "chat", "category": "inquiry", "description": "x"]),
                "customer.age"
            ),
            (
                .post, "/v1/tickets",
                json(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "description": "x", "urgent": true]), "urgent"
            ),
            (.post, "/v1/routing-rules", json(["name": "r2", "position": 2, "weight": 3]), "weight"),
            (.patch, "/v1/routing-rules/\(ruleID)", json(["colour": "red"]), "colour"),
            (.patch, "/v1/agents/\(agent.id)", json(["nickname": "LL"]), "nickname"),
        ]
        try await withAPI { [key] api in
            for (method, path, body, field) in cases {
                let reply = try await api.send(method, path, key: key, body: body)
                XCTAssertEqual(reply.status, .unprocessableContent, "\(path) \(reply.raw)")
                XCTAssertEqual(reply.errorField, field, "\(path) \(reply.raw)")
            }
        }
    }

    func testNullClearsOnlyWhatCanBeCleared() async throws {
        let agent = try await addAgent("Li Lei")
        try await withAPI { [key] api in
            let customer = try await api.post("/v1/customers", key: key, #"{"name": "Wang", "external_id": null}"#)
            XCTAssertEqual(customer.status, .created, "null on an optional member of a new resource means 'not given': \(customer.raw)")
            let id = try XCTUnwrap(customer["id"]?.string)
            let department = try await api.post("/v1/departments", key: key, json(["name": "Ops", "description": "first line"]))
            let departmentID = try XCTUnwrap(department["id"]?.string, department.raw)
            for (path, body, field) in [
                ("/v1/customers/\(id)", #"{"name": null}"#, "name"), ("/v1/agents/\(agent.id)", #"{"name": null}"#, "name"),
                ("/v1/departments/\(departmentID)", #"{"name": "Ops", "description": null}"#, "description"),
            ] {
                let reply = try await api.patch(path, key: key, body)
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorField, field)
            }
            let unchanged = try await api.get("/v1/customers/\(id)", key: key)
            XCTAssertEqual(unchanged["name"]?.string, "Wang")
            let withExternalID = try await api.patch("/v1/customers/\(id)", key: key, #"{"external_id": "crm-7"}"#)
            XCTAssertEqual(withExternalID["external_id"]?.string, "crm-7", withExternalID.raw)
            let withoutExternalID = try await api.patch("/v1/customers/\(id)", key: key, #"{"external_id": null}"#)
            XCTAssertEqual(withoutExternalID.status, .ok, "a customer's external id is clearable: \(withoutExternalID.raw)")
            XCTAssertNil(withoutExternalID["external_id"]?.string)
            XCTAssertEqual(withoutExternalID["name"]?.string, "Wang")

            let rule = try await api.post("/v1/routing-rules", key: key, json(["name": "vip", "position": 1, "segment": "vip"]))
            let ruleID = try XCTUnwrap(rule["id"]?.string, rule.raw)
            let cleared = try await api.patch("/v1/routing-rules/\(ruleID)", key: key, #"{"segment": null}"#)
            XCTAssertEqual(cleared.status, .ok, "a rule's conditions are clearable: \(cleared.raw)")
            XCTAssertNil(cleared["segment"]?.string)
            let unnamed = try await api.patch("/v1/routing-rules/\(ruleID)", key: key, #"{"name": null}"#)
            XCTAssertEqual(unnamed.status, .unprocessableContent)
            XCTAssertEqual(unnamed.errorField, "name")
        }
    }

    func testANumberOfTheWrongKindIs422NamingTheField() async throws {
        try await withAPI { [key] api in
            for position in ["1.5", "9223372036854775808", "1e400", "\"1\"", "true"] {
                let reply = try await api.post("/v1/routing-rules", key: key, #"{"name": "r", "position": \#(position)}"#)
                XCTAssertEqual(reply.status, .unprocessableContent, "\(position): \(reply.raw)")
                XCTAssertEqual(reply.errorCode, "invalid_field")
                XCTAssertEqual(reply.errorField, "position", reply.raw)
            }
            let whole = try await api.post("/v1/routing-rules", key: key, #"{"name": "r", "position": 2.0}"#)
            XCTAssertEqual(whole.status, .created, "a whole number written with a fraction is still that integer: \(whole.raw)")
            let huge = try await api.patch("/v1/settings", key: key, #"{"settings": {"surge": {"hold_minutes": 1e400}}}"#)
            XCTAssertEqual(huge.status, .unprocessableContent, huge.raw)
            XCTAssertEqual(huge.errorField, "settings.surge.hold_minutes")
        }
    }

    func testControlCharactersAreRefusedNamingTheField() async throws {
        try await withAPI { [key] api in
            let nul = try await api.post("/v1/customers", key: key, #"{"name": "Wang\u0000 Fang"}"#)
            XCTAssertEqual(nul.status, .unprocessableContent, nul.raw)
            XCTAssertEqual(nul.errorField, "name")
            let nested = try await api.post(
                "/v1/customers",
                key: key,
                #"{"name": "W", "contacts": [{"kind": "email", "value": "a\u001b@b.cn", "consent": true}]}"#
            )
            XCTAssertEqual(nested.errorField, "contacts[0].value", nested.raw)
            let department = try await api.post("/v1/departments", key: key, #"{"name": "Ops", "description": "first line\u0000hidden"}"#)
            XCTAssertEqual(department.errorField, "description", department.raw)
            let settings = try await api.patch("/v1/settings", key: key, #"{"name": "Acme\u0000", "settings": {}}"#)
            XCTAssertEqual(settings.errorField, "name", settings.raw)
            let key2 = try await api.patch("/v1/settings", key: key, #"{"settings": {"sur\u0000ge": {}}}"#)
            XCTAssertEqual(key2.status, .unprocessableContent, key2.raw)

            let allowed = try await api.post(
                "/v1/tickets",
                key: key,
                json([
                    "customer": ["name": "A"], "channel": "email", "category": "inquiry", "description": "line one\n\tline two\r\n",
                ])
            )
            XCTAssertEqual(allowed.status, .created, "tab, CR and LF are text: \(allowed.raw)")
        }
        let names = try await ownerPool.query("SELECT name FROM customers WHERE name LIKE 'W%'")
        XCTAssertEqual(names.count, 0, "nothing was written")
    }

    func testLengthsCountCodePointsAsTheDatabaseDoes() async throws {
        let stacked = "a" + String(repeating: "\u{0301}", count: 300)
        XCTAssertEqual(stacked.count, 1, "one grapheme for Swift")
        try await withAPI { [key] api in
            let reply = try await api.post("/v1/customers", key: key, json(["name": stacked]))
            XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
            XCTAssertEqual(reply.errorField, "name")
            let fits = try await api.post("/v1/customers", key: key, json(["name": "a" + String(repeating: "\u{0301}", count: 199)]))
            XCTAssertEqual(fits.status, .created, fits.raw)
        }
    }
}
