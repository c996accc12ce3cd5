import Foundation
import KefuAPI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Every setting has a documented range; a patch outside it is 422 naming the setting, and a
/// stored document outside it is clamped on read (no trap, no unbounded loop, no failing cast).
final class SettingBoundsTests: TicketTestCase {
    /// `{"settings": {"surge": {"hold_minutes": <value>}}}`.
    static func patch(_ setting: SettingRange, _ value: String) -> String {
        var body = value
        for key in setting.path.reversed() { body = "{\"\(key)\": \(body)}" }
        return "{\"settings\": \(body)}"
    }

    func testEverySettingOutsideItsRangeIsRefusedNamingIt() async throws {
        try await withAPI { [key] api in
            let reproducer = try await api.patch("/v1/settings", key: key, #"{"settings":{"surge":{"hold_minutes":2e17}}}"#)
            XCTAssertEqual(reproducer.status, .unprocessableContent, reproducer.raw)
            XCTAssertEqual(reproducer.errorField, "settings.surge.hold_minutes")
            for setting in SettingRanges.all {
                let step = setting.integer ? 1 : 0.01
                var values = ["\(setting.range.upperBound + step)", "\(setting.range.lowerBound - step)", "9223372036854775808", "\"5\""]
                if setting.integer { values.append("1.5") }
                for value in values {
                    let reply = try await api.patch("/v1/settings", key: key, Self.patch(setting, value))
                    XCTAssertEqual(reply.status, .unprocessableContent, "\(setting.name)=\(value): \(reply.raw)")
                    XCTAssertEqual(reply.errorField, "settings." + setting.name, "\(setting.name)=\(value)")
                }
            }
            let atTheBounds = try await api.patch(
                "/v1/settings",
                key: key,
                #"""
                {"settings": {"surge": {"hold_minutes": 1440, "minimum_volume": 100000, "window_minutes": 120},
                              "sla": {"email_first_response_working_days": 30, "chat_first_response_seconds": 3600}}}
                """#
            )
            XCTAssertEqual(atTheBounds.status, .ok, atTheBounds.raw)
        }
    }

    /// `retention.service_records_years` is unset (null) by default, takes 1–30 years and resets with null.
    func testRetentionYearsIsOptionalRangedAndResettable() async throws {
        try await withAPI { [key] api in
            func years(_ reply: APIClient.Reply) -> JSONValue? { reply["settings"]?["retention"]?["service_records_years"] }
            let initial = try await api.get("/v1/settings", key: key)
            XCTAssertEqual(years(initial), .null, initial.raw)
            let set = try await api.patch("/v1/settings", key: key, #"{"settings": {"retention": {"service_records_years": 7}}}"#)
            XCTAssertEqual(set.status, .ok, set.raw)
            XCTAssertEqual(years(set), .number(7))
            for value in ["31", "0", "2.5", "\"7\"", "true"] {
                let refused = try await api.patch("/v1/settings", key: key, "{\"settings\": {\"retention\": {\"service_records_years\": \(value)}}}")
                XCTAssertEqual(refused.status, .unprocessableContent, "\(value): \(refused.raw)")
                XCTAssertEqual(refused.errorField, "settings.retention.service_records_years", value)
            }
            let kept = try await api.get("/v1/settings", key: key)
            XCTAssertEqual(years(kept), .number(7), "a refused patch changes nothing")
            let reset = try await api.patch("/v1/settings", key: key, #"{"settings": {"retention": {"service_records_years": null}}}"#)
            XCTAssertEqual(reset.status, .ok, reset.raw)
            XCTAssertEqual(years(reset), .null)
        }
    }

    func testTheAPIDocumentStatesEveryRange() throws {
        let document = try OpenAPIDocument.text()
        for setting in SettingRanges.all {
            func text(_ value: Double) -> String { value.rounded() == value ? String(Int(value)) : String(value) }
            let leaf = setting.path.last!
            let kind = setting.integer ? "integer" : "number"
            let bounds = "minimum: \(text(setting.range.lowerBound)), maximum: \(text(setting.range.upperBound))"
            // An optional setting (retention.service_records_years) may also be null.
            XCTAssertTrue(
                document.contains("\(leaf): { type: \(kind), \(bounds)") || document.contains("\(leaf): { type: [\(kind), \"null\"], \(bounds)"),
                "docs/openapi.yaml states the range of \(setting.name)"
            )
        }
    }

    /// The table of setting ranges for people (docs/API.md) says what `SettingRanges` enforces.
    func testTheDocumentationStatesEveryRange() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/API.md")
        let rows = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("| `") }
        for setting in SettingRanges.all {
            func text(_ value: Double) -> String { value.rounded() == value ? String(Int(value)) : String(value) }
            // `x.p1` … `p4` stands for the four priorities in one row.
            let group = setting.path.last!.range(of: "^p[1-4]$", options: .regularExpression) != nil
            let named = group ? "`\(setting.path.dropLast().joined(separator: ".")).p1`" : "`\(setting.name)`"
            let row = try require(rows.first { $0.hasPrefix("| \(named)") }, "docs/API.md has no row for \(setting.name)")
            let range = row.split(separator: "|")[1].filter { !$0.isWhitespace }
            XCTAssertTrue(
                range.hasPrefix(text(setting.range.lowerBound)) && range.contains("–\(text(setting.range.upperBound))"),
                "docs/API.md states \(setting.name) as \(row)"
            )
        }
    }

    func testStoredValuesOutOfRangeAreClampedWhenRead() async throws {
        _ = try await ownerPool.execute(
            """
            UPDATE tenants SET settings = '{"sla": {"chat_first_response_seconds": 1e15, "department_reply_minutes": -5, "email_first_response_working_days": 1e9,
                                                  "customer_contact_minutes": 9.3e18, "complaint_first_feedback_minutes": "soon"},
                                          "surge": {"hold_minutes": 2e17, "reserve_lead_days": 1e12, "trigger_ratio": 1e300},
                                          "survey": {"expiry_hours": 1e300}}'
            WHERE id = \(tenantID)
            """
        )
        let settings = try await get("/v1/settings")
        XCTAssertEqual(settings.status, .ok, settings.raw)
        let sla = settings["settings"]?["sla"]
        XCTAssertEqual(sla?["chat_first_response_seconds"]?.number, 3_600)
        XCTAssertEqual(sla?["department_reply_minutes"]?.number, 1)
        XCTAssertEqual(sla?["email_first_response_working_days"]?.number, 30)
        XCTAssertEqual(sla?["complaint_first_feedback_minutes"]?.number, 5, "not a number: the default")
        XCTAssertEqual(settings["settings"]?["surge"]?["hold_minutes"]?.number, 1_440)

        // Intake, a reply and the surge sweep all run on these settings without trapping.
        _ = try await addAgent("Li Lei")
        let email = try await intake(["customer": ["name": "A"], "channel": "email", "category": "complaint", "description": "x"])
        XCTAssertEqual(email.status, .created, email.raw)
        let ticketID = try XCTUnwrap(email["id"]?.string)
        let reply = try await act(ticketID, "respond", ["body": "On it"])
        XCTAssertEqual(reply.status, .ok, reply.raw)
        _ = try await sweeper().sweep()
    }

    func testSurgeSettingsTheDatabaseCastsCannotBeStoredOutOfRange() async throws {
        for document in [
            #"{"surge": {"minimum_volume": 3000000000}}"#, #"{"surge": {"window_minutes": 1.5}}"#, #"{"surge": {"window_minutes": "15"}}"#,
        ] {
            do {
                _ = try await ownerPool.execute("UPDATE tenants SET settings = \(document)::jsonb WHERE id = \(tenantID)")
                XCTFail("stored \(document)")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "23514", document)
            }
        }
        let clamped = try await ownerPool.queryFirst(
            """
            SELECT kefu_clamp_int_setting('{"surge": {"minimum_volume": 3000000000}}', '{surge,minimum_volume}', 1, 100000)::text AS doc
            """
        )
        XCTAssertEqual(try clamped?.decode(String.self, "doc"), #"{"surge": {"minimum_volume": 100000}}"#)
        try await seedHistory(tenantID)
        try await live(tenantID, 25)
        let sweep = try await sweeper().sweep()
        XCTAssertEqual(sweep.candidates, 1)
    }

    /// The surge functions hold no defaults or ranges of their own: they take Swift's
    /// (`SettingLimits`), and 019's storage CHECK allows exactly SettingRanges' range.
    func testTheDatabaseReadsSurgeSettingsWithSwiftsDefaultsAndRanges() async throws {
        let defaults = SurgeSettings()
        let expected: [String: Int] = ["window_minutes": defaults.windowMinutes, "minimum_volume": defaults.minimumVolume]
        for setting in SettingRanges.all where SettingLimits.readBySQL.contains(setting.name) {
            let name = try require(setting.path.last)
            let low = Int(setting.range.lowerBound)
            let high = Int(setting.range.upperBound)
            let read = try await ownerPool.queryFirst(
                """
                SELECT kefu_limited_setting('{}', \(setting.path), \(SettingLimits.document)::jsonb) AS absent,
                       kefu_limited_setting(jsonb_build_object('surge', jsonb_build_object(\(name)::text, \(high))),
                                            \(setting.path), \(SettingLimits.document)::jsonb) AS highest,
                       kefu_limited_setting(jsonb_build_object('surge', jsonb_build_object(\(name)::text, \(high + 1))),
                                            \(setting.path), \(SettingLimits.document)::jsonb) AS above
                """
            )
            XCTAssertEqual(try read?.decode(Int.self, "absent"), expected[name], setting.name)
            XCTAssertEqual(try read?.decode(Int.self, "highest"), high, setting.name)
            XCTAssertEqual(try read?.decode(Int.self, "above"), expected[name], "\(setting.name) above its range reads as the default")
            for (value, stored) in [(low, true), (high, true), (low - 1, false), (high + 1, false)] {
                do {
                    try await ownerPool.execute(
                        """
                        UPDATE tenants SET settings = jsonb_build_object('surge', jsonb_build_object(\(name)::text, \(value)))
                        WHERE id = \(tenantID)
                        """
                    )
                    XCTAssertTrue(stored, "\(setting.name) = \(value) was stored")
                } catch let error as PostgresError {
                    XCTAssertFalse(stored, "\(setting.name) = \(value): \(error)")
                    XCTAssertEqual(error.sqlState, "23514")
                }
            }
        }
    }
}
