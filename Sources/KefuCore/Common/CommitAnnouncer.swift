import Foundation
import KefuPostgres
import Logging

/// Sends `NOTIFY <channel>, '<payload>'` after a write has committed, outside the writing
/// transaction, at most once per `window` for each payload (and pool), and never drops one: the
/// first write after a quiet window is announced at once; writes inside the window are announced
/// together by one trailing send at the window's end. Outside the writer's transaction on purpose:
/// PostgreSQL serialises the commits of transactions that NOTIFY (a database-wide lock at commit;
/// measured in docs/BENCHMARKS.md), so a NOTIFY inside every write would cap all writers.
///
/// A notification is a wake-up, never data: whoever listens re-reads the database, and also
/// re-reads on an interval, so a notification lost to an error or a reconnecting listener delays.
public final class CommitAnnouncer: @unchecked Sendable {
    public let channel: String
    public let window: Duration

    private struct Key: Hashable {
        let pool: ObjectIdentifier
        let payload: String
    }

    private struct Slot {
        var lastSent: ContinuousClock.Instant
        /// A send is scheduled for the window's end; it covers every write announced until it runs.
        var trailing = false
    }

    private let lock = NSLock()
    private var slots: [Key: Slot] = [:]
    private var pruneAt = 1_024
    private let logger: Logger

    public init(channel: String, window: Duration) {
        self.channel = channel
        self.window = window
        self.logger = Logger(label: "kefu.announcer.\(channel)")
    }

    /// Call after the write committed.
    public func announce(_ payload: String = "", on pool: ConnectionPool) {
        let key = Key(pool: ObjectIdentifier(pool), payload: payload)
        let now = ContinuousClock.now
        let delay = lock.withLock { () -> Duration? in
            if let slot = slots[key] {
                if slot.trailing { return nil }
                let since = slot.lastSent.duration(to: now)
                if since < window {
                    slots[key]?.trailing = true
                    return window - since
                }
            } else if slots.count >= pruneAt {
                slots = slots.filter { $0.value.trailing || $0.value.lastSent.duration(to: now) < window }
                pruneAt = max(1_024, slots.count * 2)
            }
            slots[key] = Slot(lastSent: now)
            return .zero
        }
        guard let delay else { return }
        Task { [self] in
            if delay > .zero {
                try? await Task.sleep(for: delay)
                // Cleared before sending: every write announced until now committed before this
                // send; one announced from now on starts the next window.
                lock.withLock { slots[key] = Slot(lastSent: .now) }
            }
            await send(payload, on: pool)
        }
    }

    private func send(_ payload: String, on pool: ConnectionPool) async {
        do {
            try await pool.notify(channel, payload: payload)
        } catch let error as PostgresError where error.kind == .shutdown {
            return
        } catch {
            logger.warning("could not announce a commit; listeners find it on their next periodic re-read", metadata: ["error": "\(error)"])
        }
    }
}

/// Wakes workers (`NOTIFY kefu_work`) after intake commits, at most once per 100 ms per process.
/// Workers also sweep on an interval, so a lost or coalesced wake-up only delays.
public enum WorkAnnouncer {
    /// The NOTIFY channel intake and ticket actions announce work on; workers listen on it.
    public static let channel = "kefu_work"
    static let shared = CommitAnnouncer(channel: channel, window: .milliseconds(100))
}

/// Wakes the live streams (`NOTIFY kefu_stream, '<tenant id>'`, never data) after a tenant's
/// write transaction commits (`TenantDatabase.transaction`) and after the worker's SLA-clock
/// batches (`SLAClockBatch`), at most once per 50 ms per tenant with a trailing send. The API
/// processes' `StreamHub` listens and has that tenant's streams re-read the event log.
public enum StreamAnnouncer {
    public static let channel = "kefu_stream"
    static let shared = CommitAnnouncer(channel: channel, window: .milliseconds(50))

    /// Call after a write of `tenantID` committed.
    public static func announce(_ tenantID: UUID, on pool: ConnectionPool) {
        shared.announce(tenantID.uuidString.lowercased(), on: pool)
    }
}
