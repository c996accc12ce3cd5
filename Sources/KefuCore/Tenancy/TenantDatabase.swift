import Foundation
import KefuPostgres

/// The only way service code reaches tenant tables: every transaction it opens first sets
/// `app.tenant_id` for the transaction, so row-level security confines it to one tenant.
/// Queries still say `tenant_id = …` explicitly; RLS is the safety net, not the router.
public struct TenantDatabase: Sendable {
    public let pool: ConnectionPool
    /// A streaming replica for reads that tolerate its bounded lag (`ReadSource.replicaIfFresh`).
    public let replica: ReadReplica?

    public init(pool: ConnectionPool, replica: ReadReplica? = nil) {
        self.pool = pool
        self.replica = replica
    }

    /// Runs `body` on the pool `source` allows: the replica only for `replicaIfFresh` reads, when
    /// it is fresh and the request does not need the primary (`ReadConsistency`). A read that
    /// loses its replica connection runs again on the primary.
    func on<T>(_ source: ReadSource, _ body: (ConnectionPool) async throws -> T) async throws -> T {
        guard source == .replicaIfFresh, !ReadConsistency.primaryOnly, let replica, let replicaPool = await replica.servingPool() else {
            return try await body(pool)
        }
        do {
            let value = try await body(replicaPool)
            replica.servedRead()
            return value
        } catch let error as PostgresError where error.isConnectionLost || error.kind == .acquireTimeout {
            replica.lost(error)
            return try await body(pool)
        }
    }

    /// Runs `body` in one transaction scoped to `tenantID`; commits on return, rolls back on throw.
    /// `source: .replicaIfFresh` (read-only transactions only) may run it on the replica.
    /// A committed write transaction wakes the tenant's live streams (`StreamAnnouncer`, after
    /// the commit and outside it).
    public func transaction<T>(
        _ tenantID: UUID,
        isolation: IsolationLevel? = nil,
        readOnly: Bool = false,
        source: ReadSource = .primary,
        retries: Int = 0,
        _ body: (TenantTransaction) async throws -> T
    ) async throws -> T {
        let value = try await on(readOnly ? source : .primary) { pool in
            try await pool.transaction(isolation: isolation, readOnly: readOnly, setup: [Self.tenantSetting(tenantID)], retries: retries) { tx in
                try await body(TenantTransaction(tenantID: tenantID, transaction: tx))
            }
        }
        if !readOnly { StreamAnnouncer.announce(tenantID, on: pool) }
        return value
    }
}

extension TenantDatabase {
    /// `SET LOCAL app.tenant_id = '<uuid>'` for the rest of the transaction, as SPEC §8 asks
    /// (Citus forwards `SET LOCAL` to its workers, not `set_config`). SET takes no parameters, so
    /// the value is written into the text — only ever a `UUID`'s own `uuidString` (hex digits and
    /// dashes), never text from a request — and the statement is sent unprepared, so the
    /// prepared-statement cache does not grow with the number of tenants. It still travels in
    /// the transaction's first round trip with BEGIN.
    static func tenantSetting(_ tenantID: UUID) -> PostgresQuery {
        PostgresQuery(unpreparedSQL: "SET LOCAL app.tenant_id = '\(tenantID.uuidString)'")
    }

    /// How a read's prepared statement is planned (`plan_cache_mode`, for its transaction only).
    public enum Planning: Sendable {
        /// PostgreSQL's default: plans for the values first, then one generic plan when that
        /// costs no more.
        case automatic
        /// One plan, not planned again for its parameters on every call: for statements whose
        /// best plan does not depend on the values, such as a queue page walking an index in order.
        case generic
        /// Planned for the values on every call: for statements whose best plan does depend on
        /// them, such as a search (how many tickets a word matches decides the plan).
        case custom
        /// `custom`, and no parallel workers: for statements that stop after a bounded number of
        /// rows, such as a search walking a tenant's tickets newest first, where starting workers
        /// costs more than it saves (measured: 55 ms instead of 15 ms, docs/BENCHMARKS.md).
        case customSerial
    }

    /// Runs one read-only statement scoped to `tenantID` (row-level security as in
    /// `transaction`), its BEGIN, tenant setting and COMMIT sent with it in one round trip.
    public func read(
        _ tenantID: UUID,
        _ query: PostgresQuery,
        planning: Planning = .automatic,
        source: ReadSource = .primary
    ) async throws -> PostgresResult {
        var setup = [Self.tenantSetting(tenantID)]
        switch planning {
        case .automatic: break
        case .generic: setup.append("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
        case .custom: setup.append("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        case .customSerial:
            setup.append(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('max_parallel_workers_per_gather', '0', true)"
            )
        }
        // BEGIN and the setup go with the statement, COMMIT after it: one pipeline.
        return try await on(source) { pool in
            try await pool.transaction(readOnly: true, setup: setup) { tx in try await tx.pipelineAndCommit([query])[0] }
        }
    }

    /// `read` of a typed statement: its value.
    public func read<Value>(_ tenantID: UUID, _ statement: PostgresStatement<Value>) async throws -> Value {
        guard let query = statement.query else { return try statement.value(from: try await read(tenantID, "SELECT 1")) }
        return try statement.value(from: try await read(tenantID, query))
    }
}

/// A transaction confined to one tenant by row-level security.
public struct TenantTransaction: PostgresQueryable {
    /// The tenant every query in this transaction must filter on.
    public let tenantID: UUID
    let transaction: PostgresTransaction

    public func run(_ query: PostgresQuery) async throws -> PostgresResult {
        try await transaction.run(query)
    }

    /// Runs independent statements in one round trip (e.g. a change's writes), in order.
    @discardableResult
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        try await transaction.pipeline(queries)
    }

    /// Runs the transaction's last statements with its COMMIT in one round trip; nothing may run after.
    @discardableResult
    public func pipelineAndCommit(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        try await transaction.pipelineAndCommit(queries)
    }

    /// Runs independent typed statements in one round trip and answers their values, in order.
    public func pipeline<each Value>(_ statements: repeat PostgresStatement<each Value>) async throws -> (repeat each Value) {
        try await transaction.pipeline(repeat each statements)
    }

    /// Typed statements sent with the transaction's COMMIT; their values, in order.
    public func pipelineAndCommit<each Value>(
        _ statements: repeat PostgresStatement<each Value>
    ) async throws -> (repeat each Value) {
        try await transaction.pipelineAndCommit(repeat each statements)
    }
}
