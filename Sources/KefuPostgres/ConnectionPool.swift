import Foundation
import Logging

/// A bounded pool of `PostgresConnection`s.
///
/// - at most `maxConnections` open at once; callers beyond that wait, up to `acquireTimeout`;
/// - an idle connection is checked before it is handed out, so a backend killed by the server
///   (`pg_terminate_backend`, a restart) is replaced instead of failing the next query;
/// - connections that broke or were left inside a transaction are closed, not reused.
public final class ConnectionPool: PostgresQueryable, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var maxConnections: Int
        public var acquireTimeout: Duration
        /// Runs on each new connection before first use (e.g. `SET ROLE`).
        public var onConnect: (@Sendable (PostgresConnection) async throws -> Void)?

        public init(
            maxConnections: Int = 10,
            acquireTimeout: Duration = .seconds(10),
            onConnect: (@Sendable (PostgresConnection) async throws -> Void)? = nil
        ) {
            self.maxConnections = max(1, maxConnections)
            self.acquireTimeout = acquireTimeout
            self.onConnect = onConnect
        }
    }

    /// A snapshot of the pool's use, for metrics.
    public struct Statistics: Sendable {
        public var open: Int
        public var idle: Int
        public var waiting: Int
        public var maxConnections: Int
    }

    public let configuration: Configuration
    public let database: PostgresConfiguration
    let logger: Logger

    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var openCount = 0
    private var waiters: [Int: CheckedContinuation<PostgresConnection?, any Error>] = [:]
    private var waiterOrder: [Int] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    public init(
        _ database: PostgresConfiguration,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "kefu.postgres.pool")
    ) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    public var statistics: Statistics {
        lock.withLock {
            Statistics(
                open: openCount,
                idle: idle.count,
                waiting: waiters.count,
                maxConnections: configuration.maxConnections
            )
        }
    }

    /// Runs `body` with a connection of its own, returning it to the pool afterwards. An idle
    /// connection is checked in the job of its first statement, not in a hand-off of its own;
    /// when the server had closed it, nothing was sent and `body` runs again on another one.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        while true {
            let connection = try await acquire(checkingLiveness: false)
            connection.checkAfterIdle()
            do {
                let value = try await body(connection)
                release(connection)
                return value
            } catch is IdleConnectionLost {
                logger.info("replacing a dead pooled connection", metadata: ["pid": "\(connection.backendPID)"])
                await discard(connection)
            } catch {
                release(connection)
                throw error
            }
        }
    }

    /// Runs one statement on a pooled connection (checked in the statement's own job, as
    /// `withConnection` does).
    public func run(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withConnection { connection in try await connection.run(query) }
    }

    /// Runs `body` in a transaction on a pooled connection. With `retries` > 0, a serialization
    /// failure or deadlock reruns the whole body up to that many more times.
    public func transaction<T>(
        isolation: IsolationLevel? = nil,
        readOnly: Bool = false,
        setup: [PostgresQuery] = [],
        retries: Int = 0,
        _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(isolation: isolation, readOnly: readOnly, setup: setup, body)
                }
            } catch let error as PostgresError where error.isSerializationFailure && attempt < retries {
                attempt += 1
                logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState ?? "")"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }

    /// Takes a connection out of the pool; pair with `release`.
    public func acquire() async throws -> PostgresConnection {
        try await acquire(checkingLiveness: true)
    }

    /// With `checkingLiveness` false the caller has the idle connection checked in its first job (`withConnection`).
    private func acquire(checkingLiveness: Bool) async throws -> PostgresConnection {
        while true {
            let action: AcquireAction = lock.withLock {
                if isShutDown { return .fail(PostgresError(kind: .shutdown, message: "connection pool is shut down")) }
                if let connection = idle.popLast() { return .check(connection) }
                if openCount < configuration.maxConnections {
                    openCount += 1
                    return .open
                }
                return .wait
            }
            switch action {
            case .fail(let error):
                throw error
            case .check(let connection):
                if !checkingLiveness { return connection }
                if await connection.checkAlive() { return connection }
                logger.info("replacing a dead pooled connection", metadata: ["pid": "\(connection.backendPID)"])
                await discard(connection)
            case .open:
                do {
                    return try await openConnection()
                } catch {
                    lock.withLock { openCount -= 1 }
                    throw error
                }
            case .wait:
                if let connection = try await waitForConnection() { return connection }
            }
        }
    }

    private enum AcquireAction {
        case fail(PostgresError)
        case check(PostgresConnection)
        case open
        case wait
    }

    private func openConnection() async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(database, logger: logger)
        if let onConnect = configuration.onConnect {
            do {
                try await onConnect(connection)
            } catch {
                await connection.close()
                throw error
            }
        }
        return connection
    }

    /// Waits for a released connection (returned directly) or a free slot (nil: try again).
    private func waitForConnection() async throws -> PostgresConnection? {
        let id = lock.withLock { () -> Int in
            nextWaiterID += 1
            return nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.failWaiter(
                id,
                with: PostgresError(
                    kind: .acquireTimeout,
                    message: "no database connection became free within \(timeout)"
                )
            )
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelled = lock.withLock { () -> Bool in
                    if Task.isCancelled { return true }
                    waiters[id] = continuation
                    waiterOrder.append(id)
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            self.failWaiter(id, with: CancellationError())
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        let continuation = lock.withLock { () -> CheckedContinuation<PostgresConnection?, any Error>? in
            waiterOrder.removeAll { $0 == id }
            return waiters.removeValue(forKey: id)
        }
        continuation?.resume(throwing: error)
    }

    private func popWaiter() -> CheckedContinuation<PostgresConnection?, any Error>? {
        while !waiterOrder.isEmpty {
            let id = waiterOrder.removeFirst()
            if let continuation = waiters.removeValue(forKey: id) { return continuation }
        }
        return nil
    }

    /// Returns a connection to the pool (or closes it if it is broken or still in a transaction).
    public func release(_ connection: PostgresConnection) {
        if connection.isBroken || connection.inTransaction {
            Task { await self.discard(connection) }
            return
        }
        let (waiter, closeIt) = lock.withLock { () -> (CheckedContinuation<PostgresConnection?, any Error>?, Bool) in
            if isShutDown {
                openCount -= 1
                return (nil, true)
            }
            if let waiter = popWaiter() { return (waiter, false) }
            idle.append(connection)
            return (nil, false)
        }
        if closeIt { Task { await connection.close() } }
        waiter?.resume(returning: connection)
    }

    /// Closes a connection and frees its slot for a waiter.
    private func discard(_ connection: PostgresConnection) async {
        await connection.close()
        let waiter = lock.withLock { () -> CheckedContinuation<PostgresConnection?, any Error>? in
            openCount -= 1
            return popWaiter()
        }
        // The waiter retries and opens a new connection in the freed slot.
        waiter?.resume(returning: nil)
    }

    /// Closes idle connections and refuses new work; in-use connections close on release.
    public func shutdown() async {
        let (connections, pending) = lock.withLock { () -> ([PostgresConnection], [CheckedContinuation<PostgresConnection?, any Error>]) in
            isShutDown = true
            let connections = idle
            idle.removeAll()
            openCount -= connections.count
            let pending = Array(waiters.values)
            waiters.removeAll()
            waiterOrder.removeAll()
            return (connections, pending)
        }
        for waiter in pending { waiter.resume(throwing: PostgresError(kind: .shutdown, message: "connection pool is shut down")) }
        for connection in connections { await connection.close() }
    }
}
