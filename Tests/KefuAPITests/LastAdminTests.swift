import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// "A tenant keeps at least one active admin" holds when two admins are demoted at once.
final class LastAdminTests: TicketTestCase {
    func testConcurrentDemotionsOfTheLastTwoAdminsLeaveOne() async throws {
        for round in 0..<8 {
            // Start each round with exactly two active admins: the tenant's first and a new one.
            let second = try await addAgent("Admin \(round)", role: "admin")
            let secondKey = try await keyFor(second)
            let first = tenant.admin
            _ = try await ownerPool.execute(
                """
                UPDATE agents SET role = 'admin', active = true WHERE id = \(first.id)
                """
            )
            let firstKey = key
            let changes: [(String, UUID, String)] =
                round.isMultiple(of: 2)
                ? [(firstKey, second.id, #"{"role":"agent"}"#), (secondKey, first.id, #"{"role":"agent"}"#)]
                : [(firstKey, second.id, #"{"active":false}"#), (secondKey, first.id, #"{"role":"qa"}"#)]
            let statuses = try await withAPI { api in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for (caller, target, body) in changes {
                        group.addTask { Int(try await api.patch("/v1/agents/\(target)", key: caller, body).status.code) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            // One change wins. The other is refused by the rule (409) or, when it comes after the
            // winner, because its caller is no longer an admin (403) or no longer active (401).
            XCTAssertEqual(statuses.filter { $0 == 200 }.count, 1, "round \(round): \(statuses)")
            XCTAssertTrue(statuses.allSatisfy { [200, 401, 403, 409].contains($0) }, "round \(round): \(statuses)")
            let admins = try await ownerPool.queryScalar(
                Int.self,
                """
                SELECT count(*) FROM agents WHERE tenant_id = \(tenantID) AND role = 'admin' AND active
                """
            )
            XCTAssertEqual(admins, 1, "round \(round)")
            // Next round: retire the second admin for good and restore the first.
            _ = try await ownerPool.execute("UPDATE agents SET role = 'agent', active = false WHERE id = \(second.id)")
        }
    }
}
