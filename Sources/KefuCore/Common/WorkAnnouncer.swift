import Foundation
import KefuPostgres
import Logging

/// Wakes workers (`NOTIFY kefu_work`) after intake commits, at most once per 100 ms per process.
/// Outside the intake transaction on purpose: a NOTIFY in a transaction takes a database-wide
/// lock at commit. Workers also sweep on an interval, so a lost or coalesced wake-up only delays.
public final class WorkAnnouncer: @unchecked Sendable {
    static let shared = WorkAnnouncer()
    /// The NOTIFY channel intake and ticket actions announce work on; workers listen on it.
    public static let channel = "kefu_work"

    private let lock = NSLock()
    private var lastSent = ContinuousClock.now - .seconds(1)
    private let logger = Logger(label: "kefu.work-announcer")

    func announce(on pool: ConnectionPool) {
        let now = ContinuousClock.now
        let send = lock.withLock { () -> Bool in
            guard lastSent.duration(to: now) >= .milliseconds(100) else { return false }
            lastSent = now
            return true
        }
        guard send else { return }
        Task { [logger] in
            do {
                try await pool.notify(Self.channel)
            } catch {
                logger.warning("could not announce new work; workers will find it on their next sweep", metadata: ["error": "\(error)"])
            }
        }
    }
}
