import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuWorker
import ServiceLifecycle

/// `kefu worker`: acts on due timers (SLA escalations, reminders, survey expiry, follow-ups, archiving).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the worker: SLA escalations, progress reminders, survey expiry, QA follow-ups, archiving. Safe with several replicas.")

    @Flag(help: "Run one sweep, print what it did, and exit.")
    var once = false

    @Option(help: "Seconds between sweeps (the worker also wakes on NOTIFY kefu_work).")
    var interval: Double = 1

    @Flag(help: "With --once: print JSON.")
    var json = false

    func run() async throws {
        guard interval > 0, interval <= 3600 else { throw ValidationError("--interval must be between 0 and 3600 seconds") }
        let context = try CommandContext.make(label: "kefu.worker")
        defer { context.database.stopIfStarted() }
        if context.database.embedded != nil { try await context.migrate() }
        let pool = context.database.makeAppPool(size: min(context.environment.poolSize, 4), logger: context.logger)
        let sweeper = TimerSweeper(database: TenantDatabase(pool: pool), clock: SystemClock(), logger: context.logger)
        let surge = SurgeSweeper(database: TenantDatabase(pool: pool), clock: SystemClock(), logger: context.logger)
        let retention = IntakeCounterRetention(pool: pool, clock: SystemClock())
        if once {
            let report = try await sweeper.sweep()
            let surgeStart = ContinuousClock.now
            let surgeReport = try await surge.sweep()
            let surgeTime = ContinuousClock.now - surgeStart
            let pruned = try await retention.prune(now: Date())
            await pool.shutdown()
            struct Output: Encodable {
                var claimed, performed, rescheduled, skipped, failed: Int
                var surgeCandidates, surgeLocked, surgeStarted, surgeEnded: Int
                var surgeSweepMs: Double
                var intakeCounterRowsDeleted: Int
            }
            let output = Output(claimed: report.claimed, performed: report.performed, rescheduled: report.rescheduled,
                                skipped: report.skipped, failed: report.failed,
                                surgeCandidates: surgeReport.candidates, surgeLocked: surgeReport.locked,
                                surgeStarted: surgeReport.started.count, surgeEnded: surgeReport.ended.count,
                                surgeSweepMs: Double(surgeTime.components.seconds) * 1000 + Double(surgeTime.components.attoseconds) / 1e15,
                                intakeCounterRowsDeleted: pruned)
            if json { return try printJSON(output) }
            Console.write("claimed \(report.claimed), performed \(report.performed), rescheduled \(report.rescheduled), "
                + "skipped \(report.skipped), failed \(report.failed); surge: \(surgeReport.candidates) candidates, "
                + "\(surgeReport.locked) locked, \(surgeReport.started.count) started, \(surgeReport.ended.count) ended; "
                + "\(pruned) old intake counter rows deleted")
            if report.failed > 0 { throw ExitCode(2) }
            return
        }
        let worker = TimerWorkerService(
            sweeper: sweeper, surge: surge, retention: retention,
            listenerConfiguration: listenerConfiguration(context.database),
            interval: .milliseconds(Int(interval * 1000)), logger: context.logger)
        let group = ServiceGroup(services: [PoolService(pool: pool), worker], gracefulShutdownSignals: [.sigterm, .sigint],
                                 logger: context.logger)
        try await group.run()
    }

    /// LISTEN needs no tenant rights; the app configuration is used (with SET ROLE it is the owner's URL).
    private func listenerConfiguration(_ database: DatabaseRuntime) -> PostgresConfiguration {
        database.appConfiguration
    }
}

/// `kefu timers`: due and upcoming work per tenant, for operators.
struct TimersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timers", abstract: "List pending timers per tenant and kind: how many are overdue and when the next is due.")

    @Flag(help: "Print JSON.") var json = false

    struct Entry: Encodable {
        var tenant: String
        var kind: String
        var pending: Int
        var overdue: Int
        var nextDueAt: Date?
    }

    func run() async throws {
        let entries = try await CommandContext.make().withOwnerPool { pool in
            try await pool.query("""
                SELECT t.slug, tt.kind, count(*) AS pending, count(*) FILTER (WHERE tt.due_at <= now()) AS overdue, min(tt.due_at) AS next_due_at
                FROM ticket_timers tt JOIN tenants t ON t.id = tt.tenant_id
                WHERE tt.done_at IS NULL
                GROUP BY t.slug, tt.kind ORDER BY t.slug, tt.kind
                """).map {
                Entry(tenant: try $0.decode(String.self, "slug"), kind: try $0.decode(String.self, "kind"),
                      pending: try $0.decode(Int.self, "pending"), overdue: try $0.decode(Int.self, "overdue"),
                      nextDueAt: try $0.decode(Date?.self, "next_due_at"))
            }
        }
        if json { return try printJSON(entries) }
        printTable(["TENANT", "KIND", "PENDING", "OVERDUE", "NEXT DUE"], entries.map {
            [$0.tenant, $0.kind, String($0.pending), String($0.overdue), $0.nextDueAt.map(KefuJSON.format) ?? "-"]
        })
    }
}
