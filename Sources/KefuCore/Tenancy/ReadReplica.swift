import Foundation
import KefuPostgres

/// Where a read may be served from.
public enum ReadSource: Sendable {
    /// The primary: every read that must see the latest writes.
    case primary
    /// A streaming replica when there is one and it is within its lag bound, else the primary:
    /// reports, KPIs, searches and queue pages.
    case replicaIfFresh
}

/// Whether the reads of the current request must come from the primary (a task-local: the API
/// sets it for a caller that just wrote, or that asked for it with `Kefu-Consistency: strong`).
public enum ReadConsistency {
    @TaskLocal public static var primaryOnly = false
}

/// A streaming replica (`KEFU_READ_DATABASE_URL`) for reads that tolerate a bounded lag.
///
/// Its state is probed at most once per `probeInterval` (by the read that finds it stale; the
/// others use the last state). Each probe notes the primary's WAL position and asks the replica
/// how far it has replayed: the replica serves while it is a standby that has replayed what the
/// primary had written at most `maxLag` ago (so a replica cut off from its primary stops serving
/// once the primary has moved on for longer than that). A replica that is down, cut off or behind
/// serves nothing: those reads go to the primary and are counted as fallbacks, and a read that
/// loses its replica connection is run again on the primary.
public final class ReadReplica: @unchecked Sendable {
    public let pool: ConnectionPool
    /// The primary, whose WAL position each probe notes.
    let primary: ConnectionPool
    public let maxLag: TimeInterval
    public let probeInterval: TimeInterval
    /// Who wrote within `maxLag` (their reads go to the primary).
    public let writers: RecentWriters

    private let lock = NSLock()
    private var fresh = false
    private var probedAt: Date?
    private var probing = false
    private var lastProblem: String?
    private var served = 0
    private var fellBack = 0
    /// The primary's WAL positions at the probes of the last `maxLag` seconds, oldest first.
    private var positions: [(at: Date, lsn: UInt64)] = []

    /// `pool` reaches the replica, `primary` the primary; `maxLag` and `probeInterval` in seconds.
    public init(pool: ConnectionPool, primary: ConnectionPool, maxLag: TimeInterval = 10, probeInterval: TimeInterval = 1) {
        self.pool = pool
        self.primary = primary
        self.maxLag = maxLag
        self.probeInterval = probeInterval
        writers = RecentWriters(window: maxLag)
    }

    /// What the replica has done, for `/metrics`.
    public struct Statistics: Sendable, Equatable {
        /// Whether the last probe found it serving.
        public var fresh: Bool
        /// Reads it served.
        public var served: Int
        /// Lag-tolerant reads that went to the primary because it was down, cut off or behind.
        public var fallbacks: Int
        /// Why it does not serve, if it does not.
        public var problem: String?
    }

    public var statistics: Statistics {
        lock.withLock { Statistics(fresh: fresh, served: served, fallbacks: fellBack, problem: fresh ? nil : lastProblem) }
    }

    /// The replica's pool if it may serve now (probing it first when its state is stale).
    func servingPool() async -> ConnectionPool? {
        let mustProbe: Bool = lock.withLock {
            let stale = probedAt.map { Date().timeIntervalSince($0) >= probeInterval } ?? true
            guard stale, !probing else { return false }
            probing = true
            return true
        }
        if mustProbe { await probe() }
        return lock.withLock {
            if fresh { return pool }
            fellBack += 1
            return nil
        }
    }

    func servedRead() { lock.withLock { served += 1 } }

    /// A read lost its replica connection: the replica serves nothing until the next probe.
    func lost(_ error: any Error) {
        lock.withLock {
            fresh = false
            fellBack += 1
            lastProblem = "\(error)"
            probedAt = Date()
        }
    }

    private func probe() async {
        var problem: String?
        do {
            let written = try await Self.lsn(try await primary.queryScalar(String.self, "SELECT pg_current_wal_lsn()::text"))
            let now = Date()
            let history: [(at: Date, lsn: UInt64)] = lock.withLock {
                positions.removeAll { now.timeIntervalSince($0.at) > maxLag }
                if positions.count >= 4096 { positions.removeFirst() }
                positions.append((now, written))
                return positions
            }
            let row = try await pool.queryFirst("SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed")
            if let row, try row.decode(Bool.self, "standby") {
                let replayed = try Self.lsn(try row.decode(String?.self, "replayed"))
                if !history.contains(where: { $0.lsn <= replayed }) {
                    problem = "it is behind: it has not replayed what the primary had written \(Int(maxLag)) s ago"
                }
            } else {
                problem = "it is not a standby (pg_is_in_recovery() is false)"
            }
        } catch {
            problem = "\(error)"
        }
        lock.withLock {
            fresh = problem == nil
            lastProblem = problem
            probedAt = Date()
            probing = false
        }
    }

    /// A WAL position (`16/B374D848`) as a number.
    public static func lsn(_ text: String?) throws -> UInt64 {
        let parts = (text ?? "").split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16), high <= UInt32.max,
            low <= UInt32.max
        else { throw KefuError.invalidField("lsn", "not a WAL position: \(text ?? "none")") }
        return high << 32 | low
    }
}

/// Callers (agents) that wrote within the last `window` (the replica's lag bound): their reads go to
/// the primary, so the page after an action shows it. Remembered by one process only.
public final class RecentWriters: @unchecked Sendable {
    public let window: TimeInterval
    private let lock = NSLock()
    private var until: [UUID: Date] = [:]

    public init(window: TimeInterval) {
        self.window = window
    }

    public func wrote(_ agent: UUID) {
        let now = Date()
        lock.withLock {
            // Forget expired callers now and then, so the table stays as small as the active set.
            if until.count >= 4096 { until = until.filter { $0.value > now } }
            until[agent] = now.addingTimeInterval(window)
        }
    }

    public func wroteRecently(_ agent: UUID) -> Bool {
        lock.withLock { (until[agent] ?? .distantPast) > Date() }
    }
}
