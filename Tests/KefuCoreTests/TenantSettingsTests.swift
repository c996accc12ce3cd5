import Foundation
import KefuCore
import XCTest

final class TenantSettingsTests: XCTestCase {
    func testDefaultsAreTheSpecNumbers() {
        let settings = TenantSettings()
        XCTAssertEqual(settings.locale, "zh-CN")
        XCTAssertEqual(settings.sla.chatFirstResponseSeconds, 30)
        XCTAssertEqual(settings.sla.complaintFirstFeedbackMinutes, 5)
        XCTAssertEqual(settings.surge.triggerRatio, 3)
        XCTAssertEqual(settings.surge.exitRatio, 1.5)
        XCTAssertEqual(settings.surge.holdMinutes, 30)
        XCTAssertEqual(settings.survey.expiryHours, 24)
        XCTAssertEqual(settings.survey.lowRatingThreshold, 2)
        XCTAssertNoThrow(try settings.validate())
    }

    func testStoredOverridesLayerOverDefaults() throws {
        let stored = JSONValue.object(["sla": .object(["department_reply_minutes": .number(90)])])
        let settings = try TenantSettings.fromStored(stored)
        XCTAssertEqual(settings.sla.departmentReplyMinutes, 90)
        XCTAssertEqual(settings.sla.chatFirstResponseSeconds, 30)
        XCTAssertEqual(try TenantSettings.fromStored(.object([:])), TenantSettings())
    }

    func testPatchNamesTheFieldItRejects() {
        let cases: [(JSONValue, String)] = [
            (.object(["surge": .object(["nope": .number(1)])]), "surge.nope"),
            (.object(["survey": .object(["expiry_hours": .string("soon")])]), "survey.expiry_hours"),
            (.object(["survey": .object(["low_rating_threshold": .number(5)])]), "survey.low_rating_threshold"),
            (.object(["surge": .object(["trigger_ratio": .number(1)])]), "surge.trigger_ratio"),
            (.string("x"), "settings"),
        ]
        for (patch, field) in cases {
            XCTAssertThrowsError(try TenantSettings().applying(patch)) { error in
                XCTAssertEqual((error as? KefuError)?.field, field, "\(patch)")
            }
        }
    }

    func testMergePatchNullRemovesAnOverride() throws {
        let patched = try TenantSettings().applying(.object(["surge": .object(["hold_minutes": .number(45)])]))
        XCTAssertEqual(patched.surge.holdMinutes, 45)
        XCTAssertEqual(JSONValue.object(["a": .number(1), "b": .number(2)]).merging(.object(["a": .null])), .object(["b": .number(2)]))
    }

    func testCursorsRoundTripAndRejectGarbage() throws {
        let cursor = PageRequest.Cursor(createdAt: Date(timeIntervalSince1970: 1_764_000_000.123456), id: UUID())
        let request = try PageRequest(limit: 10, cursor: cursor.encoded)
        XCTAssertEqual(request.after?.id, cursor.id)
        XCTAssertEqual(try XCTUnwrap(request.after?.createdAt.timeIntervalSince1970), 1_764_000_000.123456, accuracy: 0.000001)
        XCTAssertThrowsError(try PageRequest(cursor: "!!!"))
        XCTAssertThrowsError(try PageRequest(limit: 201))
    }
}
