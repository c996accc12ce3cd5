import Foundation
import KefuPostgres

extension APITestCase {
    /// Makes the monthly partitions of every partitioned table from six months before the test
    /// clock to three after it (`kefu_ensure_partitions`); answers how many it created.
    @discardableResult
    public func ensurePartitionsAroundTheClock() async throws -> Int {
        let now = clock.now()
        let made = try await ownerPool.queryScalar(
            Int.self,
            "SELECT kefu_ensure_partitions(\(now.addingTimeInterval(90 * 86_400)), \(now.addingTimeInterval(-180 * 86_400)))"
        )
        return made ?? -1
    }

    /// The partitions of `table`, by name.
    public func partitions(of table: String) async throws -> [String] {
        try await ownerPool.query(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = \(table)::regclass ORDER BY c.relname
            """
        ).map { try $0.decode(String.self, "relname") }
    }
}
