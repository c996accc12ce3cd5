import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuWorker
import ServiceLifecycle

/// `kefu worker`: acts on due timers (SLA escalations, reminders, survey expiry, follow-ups, archiving).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the worker: SLA escalations, progress reminders, survey expiry, QA follow-ups, archiving. Safe with several replicas."
    )

    @Flag(help: "Run one sweep, print what it did, and exit.")
    var once = false

    @Option(help: "Seconds between sweeps (the worker also wakes on NOTIFY kefu_work).")
    var interval: Double = 1

    @Option(help: "Seconds a claimed timer stays reserved for this worker; a killed worker's timers are taken over after it (1–600).")
    var lease: Double = 60

    @Flag(help: "With --once: print JSON.")
    var json = false

    func run() async throws {
        guard interval > 0, interval <= 3600 else { throw ValidationError("--interval must be between 0 and 3600 seconds") }
        guard lease >= 1, lease <= 600 else { throw ValidationError("--lease must be between 1 and 600 seconds") }
        let context = try CommandContext.make(label: "kefu.worker")
        defer { context.database.stopIfStarted() }
        if context.database.embedded != nil { try await context.migrate() }
        let pool = try context.database.makeWorkerPool(size: min(context.environment.poolSize, 4), logger: context.logger)
        let jobs = WorkerServices(
            pool: pool,
            clock: SystemClock(),
            webhookTargets: context.environment.webhookTargets,
            consoleURL: context.environment.consoleURL,
            email: context.environment.email,
            logger: context.logger
        )
        try await jobs.announceMail()
        var sweeper = jobs.timers
        sweeper.lease = .milliseconds(Int(lease * 1000))
        let (surge, retention) = (jobs.surge, jobs.retention)
        if once {
            let report = try await sweeper.sweep()
            let surgeStart = ContinuousClock.now
            let surgeReport = try await surge.sweep()
            let surgeTime = ContinuousClock.now - surgeStart
            let pruned = try await retention.prune(now: Date())
            let sent = try await jobs.deliveries.sweep()
            await pool.shutdown()
            struct Output: Encodable {
                var claimed, performed, rescheduled, skipped, failed, gaveUp: Int
                var surgeCandidates, surgeLocked, surgeStarted, surgeEnded, surgeFailed: Int
                var surgeSweepMs: Double
                var intakeCounterRowsDeleted: Int
                var deliveriesDelivered, deliveriesFailed, deliveriesDead: Int
            }
            let output = Output(
                claimed: report.claimed,
                performed: report.performed,
                rescheduled: report.rescheduled,
                skipped: report.skipped,
                failed: report.failed,
                gaveUp: report.gaveUp,
                surgeCandidates: surgeReport.candidates,
                surgeLocked: surgeReport.locked,
                surgeStarted: surgeReport.started.count,
                surgeEnded: surgeReport.ended.count,
                surgeFailed: surgeReport.failed,
                surgeSweepMs: Double(surgeTime.components.seconds) * 1000 + Double(surgeTime.components.attoseconds) / 1e15,
                intakeCounterRowsDeleted: pruned,
                deliveriesDelivered: sent.delivered,
                deliveriesFailed: sent.failed,
                deliveriesDead: sent.dead
            )
            if json { return try printJSON(output) }
            Console.write(
                "claimed \(report.claimed), performed \(report.performed), rescheduled \(report.rescheduled), "
                    + "skipped \(report.skipped), failed \(report.failed); surge: \(surgeReport.candidates) candidates, "
                    + "\(surgeReport.locked) locked, \(surgeReport.started.count) started, \(surgeReport.ended.count) ended; "
                    + "\(pruned) old intake counter rows deleted; deliveries: \(sent.delivered) delivered, \(sent.failed) failed, \(sent.dead) dead"
            )
            if report.failed > 0 { throw ExitCode(2) }
            return
        }
        let loops = WorkerLoops.services(
            timers: sweeper,
            surge: surge,
            retention: retention,
            deliveries: jobs.deliveries,
            listenerConfiguration: context.database.worker?.configuration,
            interval: .milliseconds(Int(interval * 1000)),
            logger: context.logger
        )
        let group = ServiceGroup(
            services: [PoolService(pool: pool)] + loops,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: context.logger
        )
        context.logger.info("worker started", metadata: ["interval": "\(interval)s"])
        try await group.run()
        context.logger.info("worker stopped")
    }
}
