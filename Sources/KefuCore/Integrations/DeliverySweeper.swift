import Foundation
import KefuPostgres
import Logging

/// What one delivery round did.
public struct DeliveryReport: Sendable, Equatable {
    public var claimed = 0
    public var delivered = 0
    public var failed = 0
    public var dead = 0

    public init() {}

    mutating func add(_ other: DeliveryReport) {
        claimed += other.claimed
        delivered += other.delivered
        failed += other.failed
        dead += other.dead
    }
}

/// Sends the outbox's due deliveries to their webhooks (the worker's job).
///
/// At least once, with one id: deliveries are leased across tenants (`kefu_claim_due_deliveries`,
/// a few per webhook, none of a webhook another lane is sending to); each is rendered once
/// (`WebhookPayload`), signed (`WebhookSignature`), sent within `timeout`, and its attempt is
/// recorded in its tenant's transaction. A worker killed mid-send leaves the lease to expire:
/// another worker sends the same body with the same `Kefu-Delivery` id, which receivers use to
/// drop the duplicate. Webhooks are served one lane each, so a slow or dead receiver holds up
/// only its own deliveries.
public struct DeliverySweeper: Sendable {
    /// A leased delivery and what sending it needs.
    public struct Claimed: Sendable {
        var tenantID: UUID
        var id: UUID
        /// The webhook or robot it goes to.
        var targetID: UUID
        /// `webhook`, or the robot's platform (`RobotKind`).
        var targetKind: String
        var eventType: String
        var attempts: Int
        var url: String
        /// A webhook's secrets (the current one, and the previous one during a rotation's
        /// overlap); a robot's signing secret, if any.
        var secrets: [String]
    }

    let database: TenantDatabase
    let clock: any KefuClock
    let transport: any WebhookTransport
    let targets: WebhookTargetPolicy
    let logger: Logger
    public var retry = DeliveryRetryPolicy()
    /// How long claimed deliveries are reserved for the claiming lane.
    public var lease: Duration = .seconds(120)
    /// At most this many deliveries of one webhook per claim (sent one after the other).
    public var perWebhook = 5
    /// The longest one attempt may take.
    public var timeout: Duration = .seconds(10)
    /// The agents' console (`KEFU_CONSOLE_URL`): robot alerts link to `<console>/tickets/<id>`.
    public var consoleURL: String?
    /// Email out (`DeliverySweeper+Email`): the SMTP client, the deployment's relay
    /// (`KEFU_SMTP_URL`), the deployment key that opens tenants' relay passwords and sealed survey
    /// tokens (`KEFU_SECRET_KEY`), and the public base URL of the survey page (`KEFU_PUBLIC_URL`).
    public var mail: (any MailTransport)?
    public var deploymentRelay: MailRelay?
    public var secrets: SecretBox?
    public var publicURL: String?

    public init(
        database: TenantDatabase,
        clock: any KefuClock,
        transport: any WebhookTransport,
        targets: WebhookTargetPolicy,
        logger: Logger = Logger(label: "kefu.worker.deliveries")
    ) {
        self.database = database
        self.clock = clock
        self.transport = transport
        self.targets = targets
        self.logger = logger
    }

    /// Claims due deliveries and sends them all, each webhook's lane in parallel; returns when
    /// every lane is done (tests, `kefu worker --once`). The worker's loop uses `claim` and
    /// `send` so that it does not wait for slow lanes (`DeliverySweepService`).
    public func sweep(limit: Int = 200) async throws -> DeliveryReport {
        let lanes = try await claim(limit: limit)
        return await withTaskGroup(of: DeliveryReport.self) { group in
            for lane in lanes { group.addTask { await send(lane) } }
            var report = DeliveryReport()
            for await lane in group { report.add(lane) }
            report.claimed = lanes.reduce(0) { $0 + $1.count }
            return report
        }
    }

    /// Leases up to `limit` due deliveries, grouped into one lane per webhook.
    public func claim(limit: Int) async throws -> [[Claimed]] {
        let rows = try await database.pool.query(
            """
            SELECT tenant_id, id, target_id, target_kind, event_type, attempts, url, secret, previous_secret, previous_secret_expires_at
            FROM kefu_claim_due_deliveries(\(clock.now()), \(Int32(limit)), \(Int32(perWebhook)), \(PostgresInterval(lease)))
            """
        )
        let now = clock.now()
        var lanes: [UUID: [Claimed]] = [:]
        var order: [UUID] = []
        for row in rows {
            var secrets = try row.decode(String?.self, "secret").map { [$0] } ?? []
            if let previous = try row.decode(String?.self, "previous_secret"),
                let until = try row.decode(Date?.self, "previous_secret_expires_at"), until > now
            {
                secrets.append(previous)
            }
            let claimed = Claimed(
                tenantID: try row.decode(UUID.self, "tenant_id"),
                id: try row.decode(UUID.self, "id"),
                targetID: try row.decode(UUID.self, "target_id"),
                targetKind: try row.decode(String.self, "target_kind"),
                eventType: try row.decode(String.self, "event_type"),
                attempts: try row.decode(Int.self, "attempts"),
                url: try row.decode(String.self, "url"),
                secrets: secrets
            )
            if lanes[claimed.targetID] == nil { order.append(claimed.targetID) }
            lanes[claimed.targetID, default: []].append(claimed)
        }
        return order.compactMap { lanes[$0] }
    }

    /// Sends one webhook's claimed deliveries, one after the other.
    public func send(_ lane: [Claimed]) async -> DeliveryReport {
        var report = DeliveryReport()
        for delivery in lane {
            do {
                switch try await attempt(delivery) {
                case .delivered: report.delivered += 1
                case .failed: report.failed += 1
                case .dead: report.dead += 1
                }
            } catch {
                // The attempt could not even be recorded (database unavailable): the lease runs
                // out and the delivery is claimed again.
                logger.error("delivery attempt not recorded", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
                report.failed += 1
            }
        }
        return report
    }

    /// The outcome of one attempt.
    enum Outcome { case delivered, failed, dead }

    private func attempt(_ delivery: Claimed) async throws -> Outcome {
        if delivery.targetKind == Self.emailTarget { return try await attemptEmail(delivery) }
        let body: String
        do {
            body = try await self.body(of: delivery)
        } catch let gone as WebhookPayload.SourceGone {
            return try await record(delivery, startedAt: clock.now(), latency: 0, status: nil, error: gone.description, final: true)
        }
        let startedAt = clock.now()
        let start = ContinuousClock.now
        var status: Int?
        var failure: String?
        do {
            try await targets.check(delivery.url)
            let request = Self.request(delivery, body: body, at: startedAt)
            let answer = try await transport.post(url: request.url, headers: request.headers, body: request.body, timeout: timeout)
            status = answer.status
            if !(200..<300).contains(answer.status) {
                failure = "the receiver answered \(answer.status)"
            } else if RobotKind(rawValue: delivery.targetKind) != nil {
                failure = RobotSignature.failure(in: answer.body)
            }
        } catch let refused as KefuError {
            failure = "refused: \(refused.message)"
        } catch {
            failure = "\(error)"
        }
        let elapsed = start.duration(to: .now)
        let latency = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return try await record(delivery, startedAt: startedAt, latency: latency, status: status, error: failure, final: false)
    }

    /// The request of one attempt: a webhook's signed headers, or a robot's platform signing.
    static func request(_ delivery: Claimed, body: String, at instant: Date) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        let json = ("Content-Type", "application/json")
        switch RobotKind(rawValue: delivery.targetKind) {
        case .dingtalk?:
            let url = delivery.secrets.first.map { RobotSignature.dingTalkURL(delivery.url, secret: $0, at: instant) } ?? delivery.url
            return (url, [json], Array(body.utf8))
        case .feishu?:
            let signed = delivery.secrets.first.map { RobotSignature.feishuBody(body, secret: $0, at: instant) } ?? body
            return (delivery.url, [json], Array(signed.utf8))
        case .wecom?:
            return (delivery.url, [json], Array(body.utf8))
        case nil:
            let bytes = Array(body.utf8)
            let timestamp = Int64(instant.timeIntervalSince1970.rounded(.down))
            return (
                delivery.url,
                [
                    json, ("User-Agent", "Kefu-Webhooks/1"), ("Kefu-Event", delivery.eventType), ("Kefu-Delivery", delivery.id.uuidString),
                    ("Kefu-Signature", WebhookSignature.header(body: bytes, timestamp: timestamp, secrets: delivery.secrets)),
                ],
                bytes
            )
        }
    }

    /// The delivery's body: rendered at its first attempt and kept for the following ones.
    private func body(of delivery: Claimed) async throws -> String {
        try await database.transaction(delivery.tenantID) { tx in
            if let body = try await tx.queryScalar(
                String.self,
                "SELECT body FROM deliveries WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id)"
            ) {
                return body
            }
            guard
                let source = try await tx.queryFirst(
                    WebhookPayload.Source.self,
                    """
                    SELECT id, event_type, source_id, ticket_id, created_at FROM deliveries
                    WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id) FOR UPDATE
                    """
                )
            else { throw WebhookPayload.SourceGone() }
            let body: String
            if let kind = RobotKind(rawValue: delivery.targetKind) {
                body = try await RobotMessage.render(tx, source, kind: kind, consoleURL: consoleURL)
            } else {
                body = try await WebhookPayload.render(tx, source)
            }
            try await tx.execute("UPDATE deliveries SET body = \(body) WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id)")
            return body
        }
    }

    /// Records the attempt and the delivery's new state: delivered, failed until its next
    /// attempt, or dead (out of attempts, or `final`).
    func record(_ delivery: Claimed, startedAt: Date, latency: Double, status: Int?, error: String?, final: Bool) async throws -> Outcome {
        let attempt = delivery.attempts + 1
        let now = clock.now()
        let next = error == nil || final ? nil : retry.nextAttempt(afterAttempt: attempt, at: now)
        let outcome: Outcome = error == nil ? .delivered : (next == nil ? .dead : .failed)
        let state: DeliveryStatus = outcome == .delivered ? .delivered : (outcome == .dead ? .dead : .failed)
        let clipped = error.map { String($0.prefix(1000)) }
        try await database.transaction(delivery.tenantID) { tx in
            // An attempt is recorded once: the key holds started_at too (the partition column), so
            // the delivery's row lock orders two recorders and the second one sees the first's row.
            var writes: [PostgresQuery] = [
                "SELECT 1 FROM deliveries WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id) FOR UPDATE",
                """
                INSERT INTO delivery_attempts (tenant_id, delivery_id, attempt, started_at, latency_ms, status_code, error)
                SELECT \(tx.tenantID), \(delivery.id), \(attempt), \(startedAt), \(latency), \(status.map(Int32.init)), \(clipped)
                WHERE NOT EXISTS (
                    SELECT 1 FROM delivery_attempts WHERE tenant_id = \(tx.tenantID) AND delivery_id = \(delivery.id) AND attempt = \(attempt)
                )
                """,
                """
                UPDATE deliveries SET status = \(state.rawValue), attempts = \(attempt), claimed_until = NULL,
                    next_attempt_at = COALESCE(\(next), next_attempt_at), last_status_code = \(status.map(Int32.init)),
                    last_error = \(clipped), delivered_at = CASE WHEN \(state.rawValue) = 'delivered' THEN \(now)::timestamptz END,
                    dead_at = CASE WHEN \(state.rawValue) = 'dead' THEN \(now)::timestamptz END
                WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id)
                """,
            ]
            if error != nil { writes.append("SELECT nextval('kefu_delivery_failure_seq')") }
            try await tx.pipeline(writes)
        }
        if outcome == .dead {
            logger.warning("delivery dead", metadata: ["delivery": "\(delivery.id)", "target": "\(delivery.targetID)", "error": "\(error ?? "")"])
        }
        return outcome
    }
}
