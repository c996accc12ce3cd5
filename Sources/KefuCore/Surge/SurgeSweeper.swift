import Foundation
import KefuPostgres
import Logging

/// What one detector sweep did.
public struct SurgeSweepReport: Sendable, Equatable {
    /// Incidents this sweep started and ended.
    public var started: [Incident] = []
    public var ended: [Incident] = []
    /// Tenants read (intake at or above their minimum volume, mode on, or an event due).
    public var candidates = 0
    /// Tenants whose state had to change, each evaluated again in its own locking transaction.
    public var locked = 0
    /// Tenants whose settings could not be read or whose evaluation failed; logged, and tried
    /// again on the next sweep (the sweep goes on with the other tenants).
    public var failed = 0
}

/// The worker's surge detector. One statement reads every candidate tenant's mode and intake
/// counts (`SurgeReadings`); the decision is made from that without a lock, and only tenants
/// whose state must change (a surge starts, the hold period starts, restarts or ends, an
/// event's staffing is due) get a tenant transaction, which locks the mode row and decides again
/// from what it reads under the lock. Several replicas may sweep at once: each reads and decides
/// for all candidates, the row lock serialises them per tenant, and the conditional updates make
/// the second one find nothing left to do — so a surge starts and ends exactly once.
public struct SurgeSweeper: Sendable {
    let surge: SurgeService
    let events: ScheduledEventService
    let database: TenantDatabase
    let clock: any KefuClock
    let logger: Logger

    public init(database: TenantDatabase, clock: any KefuClock, logger: Logger = Logger(label: "kefu.worker.surge")) {
        self.database = database
        self.clock = clock
        self.surge = SurgeService(database: database, clock: clock)
        self.events = ScheduledEventService(database: database, clock: clock)
        self.logger = logger
    }

    /// Reads the candidates, then applies due events and evaluates the tenants whose mode must change.
    public func sweep(maxWindowMinutes: Int = 120) async throws -> SurgeSweepReport {
        let now = clock.now()
        let since = now.addingTimeInterval(-TimeInterval(maxWindowMinutes) * 60)
        let sweep = try await SurgeReadings.load(database.pool, since: since, now: now)
        var report = SurgeSweepReport(candidates: sweep.readings.count + sweep.unreadable.count, failed: sweep.unreadable.count)
        for (tenant, error) in sweep.unreadable {
            logger.error("surge settings unreadable; tenant skipped", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
        }
        for reading in sweep.readings {
            let tenant = reading.tenantID
            do {
                if reading.eventsDue { try await events.apply(tenant) }
                guard reading.step(now: now).changesState else { continue }
                report.locked += 1
                switch try await surge.evaluate(tenant) {
                case .started(let incident):
                    report.started.append(incident)
                    logger.notice(
                        "surge started",
                        metadata: [
                            "tenant.id": "\(tenant)", "channel": "\(incident.channel)",
                            "ratio": "\(incident.ratio)",
                        ]
                    )
                case .ended(let incident):
                    report.ended.append(incident)
                    logger.notice("surge ended", metadata: ["tenant.id": "\(tenant)"])
                case .unchanged, .calming:
                    break
                }
            } catch {
                report.failed += 1
                logger.error("surge evaluation failed", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            }
        }
        return report
    }
}
