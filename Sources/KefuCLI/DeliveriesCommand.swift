import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu deliveries`: the webhook outbox per tenant and webhook (and each tenant's email, as
/// webhook `email`) for operators — how many
/// deliveries wait, failed, are dead, and the oldest undelivered one; `--status` lists the
/// deliveries themselves (newest first, at most `--limit`) with their last error.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Webhook and email deliveries per tenant and webhook: pending, failed, dead, and the oldest undelivered.",
        discussion: "With --status failed|dead|pending|delivered: the deliveries themselves, with their last error."
    )

    @Option(help: "Only this tenant (its slug).") var tenant: String?
    @Option(help: "List the deliveries in this state instead of the summary.") var status: String?
    @Option(help: "With --status: at most this many, newest first (1–1000).") var limit = 100
    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        var tenant: String
        var webhook: String
        var url: String
        var pending, failed, dead: Int
        var oldestUndeliveredAt: Date?
    }

    struct Entry: Encodable {
        var tenant: String
        var delivery: String
        var eventType: String
        var status: String
        var attempts: Int
        var createdAt: Date
        var lastStatusCode: Int?
        var lastError: String?
    }

    func validate() throws {
        if let status, DeliveryStatus(rawValue: status) == nil {
            throw ValidationError("--status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
    }

    func run() async throws {
        let context = try CommandContext.make()
        if let status { return try await list(context, status: status) }
        let summaries = try await context.withOwnerPool { pool in
            try await pool.query(
                """
                WITH counts AS (
                    SELECT d.tenant_id, coalesce(d.webhook_id::text, 'email') AS target,
                           count(*) FILTER (WHERE d.status = 'pending') AS pending,
                           count(*) FILTER (WHERE d.status = 'failed') AS failed,
                           count(*) FILTER (WHERE d.status = 'dead') AS dead,
                           min(d.created_at) FILTER (WHERE d.status IN ('pending', 'failed')) AS oldest
                    FROM deliveries d WHERE d.webhook_id IS NOT NULL OR d.email
                    GROUP BY d.tenant_id, coalesce(d.webhook_id::text, 'email')
                ), targets AS (
                    SELECT w.tenant_id, w.id::text AS target, w.url FROM webhooks w
                    UNION ALL
                    SELECT c.tenant_id, 'email', coalesce('smtp://' || r.host || ':' || r.port, 'deployment relay')
                    FROM counts c LEFT JOIN mail_relays r ON r.tenant_id = c.tenant_id WHERE c.target = 'email'
                )
                SELECT t.slug, x.target, x.url, coalesce(c.pending, 0) AS pending, coalesce(c.failed, 0) AS failed,
                       coalesce(c.dead, 0) AS dead, c.oldest
                FROM targets x JOIN tenants t ON t.id = x.tenant_id
                LEFT JOIN counts c ON c.tenant_id = x.tenant_id AND c.target = x.target
                WHERE \(tenant)::text IS NULL OR t.slug = \(tenant)
                ORDER BY t.slug, x.url, x.target
                """
            ).map {
                Summary(
                    tenant: try $0.decode(String.self, "slug"),
                    webhook: try $0.decode(String.self, "target"),
                    url: try $0.decode(String.self, "url"),
                    pending: try $0.decode(Int.self, "pending"),
                    failed: try $0.decode(Int.self, "failed"),
                    dead: try $0.decode(Int.self, "dead"),
                    oldestUndeliveredAt: try $0.decode(Date?.self, "oldest")
                )
            }
        }
        if output.json { return try printJSON(summaries) }
        printTable(
            ["TENANT", "WEBHOOK", "URL", "PENDING", "FAILED", "DEAD", "OLDEST UNDELIVERED"],
            summaries.map {
                [
                    $0.tenant, $0.webhook, $0.url, String($0.pending), String($0.failed), String($0.dead),
                    $0.oldestUndeliveredAt.map(KefuJSON.format) ?? "-",
                ]
            }
        )
    }

    private func list(_ context: CommandContext, status: String) async throws {
        let entries = try await context.withOwnerPool { pool in
            try await pool.query(
                """
                SELECT t.slug, d.id, d.event_type, d.status, d.attempts, d.created_at, d.last_status_code, d.last_error
                FROM deliveries d JOIN tenants t ON t.id = d.tenant_id
                WHERE d.status = \(status) AND (\(tenant)::text IS NULL OR t.slug = \(tenant))
                ORDER BY d.created_at DESC, d.id LIMIT \(limit)
                """
            ).map {
                Entry(
                    tenant: try $0.decode(String.self, "slug"),
                    delivery: try $0.decode(UUID.self, "id").uuidString,
                    eventType: try $0.decode(String.self, "event_type"),
                    status: try $0.decode(String.self, "status"),
                    attempts: try $0.decode(Int.self, "attempts"),
                    createdAt: try $0.decode(Date.self, "created_at"),
                    lastStatusCode: try $0.decode(Int?.self, "last_status_code"),
                    lastError: try $0.decode(String?.self, "last_error")
                )
            }
        }
        if output.json { return try printJSON(entries) }
        printTable(
            ["TENANT", "DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "CREATED", "LAST STATUS", "LAST ERROR"],
            entries.map {
                [
                    $0.tenant, $0.delivery, $0.eventType, $0.status, String($0.attempts), KefuJSON.format($0.createdAt),
                    $0.lastStatusCode.map(String.init) ?? "-", $0.lastError ?? "-",
                ]
            }
        )
    }
}
