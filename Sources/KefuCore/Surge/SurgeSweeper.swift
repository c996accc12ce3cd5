import Foundation
import KefuPostgres
import Logging

/// The worker's surge detector: evaluates every tenant with intake in the window or with the
/// mode on, each in its own tenant transaction.
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

    /// Evaluates the candidates; returns the incidents started and ended.
    public func sweep(maxWindowMinutes: Int = 120) async throws -> (started: [Incident], ended: [Incident]) {
        let now = clock.now()
        let since = now.addingTimeInterval(-TimeInterval(maxWindowMinutes * 60))
        let tenants = try await database.pool.query("SELECT tenant_id FROM kefu_surge_candidates(\(since), \(now))")
            .map { try $0.decode(UUID.self, at: 0) }
        var started: [Incident] = []
        var ended: [Incident] = []
        for tenant in tenants {
            do {
                try await events.apply(tenant)
                switch try await surge.evaluate(tenant) {
                case .started(let incident):
                    started.append(incident)
                    logger.notice("surge started", metadata: ["tenant.id": "\(tenant)", "channel": "\(incident.channel)",
                                                              "ratio": "\(incident.ratio)"])
                case .ended(let incident):
                    ended.append(incident)
                    logger.notice("surge ended", metadata: ["tenant.id": "\(tenant)"])
                case .unchanged, .calming:
                    break
                }
            } catch {
                logger.error("surge evaluation failed", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            }
        }
        return (started, ended)
    }
}
