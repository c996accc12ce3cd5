import Foundation
import KefuPostgres
import XCTest

@testable import KefuTestSupport

/// The test support itself: concurrent first users share one private cluster.
final class TestClusterTests: XCTestCase {
    func testConcurrentFirstCallersShareOneCluster() async throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"] == nil else {
            throw XCTSkip("uses the server in DATABASE_URL, starts no cluster")
        }
        let cluster = TestCluster()
        let hosts = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask { "\(try await cluster.adminConfiguration())" }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(hosts.count, 1, "one cluster for all four callers: \(hosts)")
        let again = try await cluster.adminConfiguration()
        XCTAssertEqual(hosts.first, "\(again)")
    }
}
