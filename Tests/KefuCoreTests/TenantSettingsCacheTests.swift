import Foundation
import XCTest

@testable import KefuCore

final class TenantSettingsCacheTests: XCTestCase {
    func testTheSameDocumentDecodesOnceAndAChangedOneIsSeenAtOnce() throws {
        let cache = TenantSettingsCache(capacity: 10)
        let tenant = UUID()
        let stored = #"{"auto_reply_enabled": false}"#
        let first = try cache.settings(for: tenant, stored: stored)
        XCTAssertFalse(first.autoReplyEnabled)
        XCTAssertEqual(first.sla.chatFirstResponseSeconds, 30, "defaults fill what the document leaves out")
        XCTAssertEqual(try cache.settings(for: tenant, stored: stored), first)
        XCTAssertEqual(cache.count, 1)

        let changed = try cache.settings(for: tenant, stored: #"{"auto_reply_enabled": true}"#)
        XCTAssertTrue(changed.autoReplyEnabled, "a different stored document is decoded again")
        XCTAssertEqual(cache.count, 1)
    }

    func testTenantsDoNotShareEntriesAndTheCacheIsBounded() throws {
        let cache = TenantSettingsCache(capacity: 2)
        let a = UUID()
        let b = UUID()
        let c = UUID()
        XCTAssertFalse(try cache.settings(for: a, stored: #"{"auto_reply_enabled": false}"#).autoReplyEnabled)
        XCTAssertTrue(try cache.settings(for: b, stored: "{}").autoReplyEnabled)
        XCTAssertFalse(try cache.settings(for: a, stored: #"{"auto_reply_enabled": false}"#).autoReplyEnabled)
        _ = try cache.settings(for: c, stored: "{}")
        XCTAssertLessThanOrEqual(cache.count, 2)
    }

    func testAMalformedDocumentThrowsAndIsNotCached() {
        let cache = TenantSettingsCache(capacity: 2)
        XCTAssertThrowsError(try cache.settings(for: UUID(), stored: "not json"))
        XCTAssertEqual(cache.count, 0)
    }
}
