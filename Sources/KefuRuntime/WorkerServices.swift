import Foundation
import KefuCore
import KefuPostgres
import Logging

/// The worker's jobs, wired to a pool connected as the worker role (`kefu_worker`): only that
/// role may call the cross-tenant functions they start from (claiming timers, acting on SLA
/// batches, surge readings, pruning intake counters, leasing deliveries). Each job then works inside one tenant's
/// row-level-security scope, as the API does.
public struct WorkerServices: Sendable {
    public let pool: ConnectionPool
    public let timers: TimerSweeper
    public let surge: SurgeSweeper
    public let retention: IntakeCounterRetention
    public let deliveries: DeliverySweeper
    let email: EmailConfiguration

    public init(
        pool: ConnectionPool,
        clock: any KefuClock = SystemClock(),
        webhookTargets: WebhookTargetPolicy = WebhookTargetPolicy(),
        consoleURL: String? = nil,
        email: EmailConfiguration = EmailConfiguration(),
        logger: Logger = Logger(label: "kefu.worker")
    ) {
        self.pool = pool
        self.email = email
        let database = TenantDatabase(pool: pool)
        self.timers = TimerSweeper(database: database, clock: clock, logger: logger)
        self.surge = SurgeSweeper(database: database, clock: clock, logger: logger)
        self.retention = IntakeCounterRetention(pool: pool, clock: clock)
        var deliveries = DeliverySweeper(
            database: database,
            clock: clock,
            transport: HTTPWebhookTransport(),
            targets: webhookTargets,
            logger: logger
        )
        deliveries.consoleURL = consoleURL
        deliveries.mail = SMTPMailTransport(caFile: email.caFile)
        deliveries.deploymentRelay = email.relay
        deliveries.secrets = email.secrets
        deliveries.publicURL = email.publicURL
        self.deliveries = deliveries
    }

    /// Tells the database whether the deployment has a relay (`KEFU_SMTP_URL`): with one, customer
    /// messages of tenants without their own relay become email deliveries; without, they do not.
    /// The worker calls it at start.
    public func announceMail(at now: Date = Date()) async throws {
        _ = try await pool.execute("SELECT kefu_announce_deployment_mail(\(email.relay?.fromAddress), \(now))")
    }
}
