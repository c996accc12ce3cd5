import KefuPostgres
import ServiceLifecycle

/// Keeps the connection pool open while the process runs and closes it last on shutdown
/// (it is the first service of the group, so it stops after everything that uses it).
public struct PoolService: Service {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await pool.shutdown()
    }
}
