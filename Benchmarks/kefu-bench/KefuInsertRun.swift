import KefuPostgres
import Logging

/// The KefuPostgres side: a `ConnectionPool` of `clients` connections and `clients` tasks, each
/// inserting one ticket per `pool.execute` (acquire, bound INSERT, release: the path a request
/// handler takes) until the time is up.
struct KefuInsertRun {
    var configuration: PostgresConfiguration
    var clients: Int
    var duration: Duration
    var logger: Logger

    func run() async throws -> SideRun {
        let pool = ConnectionPool(
            configuration,
            configuration: .init(maxConnections: clients, acquireTimeout: .seconds(30)),
            logger: logger
        )
        do {
            // Open every connection before the clock starts, as pgbench's "without initial
            // connection time" figure does.
            try await openAll(pool)
            let clock = ContinuousClock()
            let start = clock.now
            let costAtStart = ClientCost.currentProcess()
            let deadline = start + duration
            let rows = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var inserted = 0
                        var random = FastRandom()
                        while clock.now < deadline {
                            try await pool.execute(KefuTicketInsert.randomQuery(using: &random))
                            inserted += 1
                        }
                        return inserted
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = clock.now - start
            let cost = ClientCost.currentProcess() - costAtStart
            await pool.shutdown()
            return SideRun(rows: rows, seconds: elapsed.seconds, clientCost: cost)
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    private func openAll(_ pool: ConnectionPool) async throws {
        let connections = try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
            for _ in 0..<clients { group.addTask { try await pool.acquire() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for connection in connections { pool.release(connection) }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
