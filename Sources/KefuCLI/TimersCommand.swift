import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu timers`: due and upcoming work per tenant, for operators; `--failed` lists the timers
/// the worker gave up on after its retries (`TimerRetryPolicy`). Ticket timers and the deadlines
/// of other records (`record_timers`: kinds `problem_report`, `incident_review`; their `ticket`
/// column is the record's id) are listed together.
struct TimersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timers",
        abstract: "List pending timers per tenant and kind: how many are overdue and when the next is due.",
        discussion: "With --failed: the timers that failed too often and are no longer retried, with their last error."
    )

    @Flag(help: "List the timers marked failed after their retries, with the last error.") var failed = false
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var tenant: String
        var kind: String
        var pending: Int
        var overdue: Int
        var nextDueAt: Date?
    }

    struct FailedTimer: Encodable {
        var tenant: String
        var ticket: String
        var kind: String
        var dueAt: Date
        var failures: Int
        var failedAt: Date
        var lastError: String?
    }

    func run() async throws {
        if failed { return try await listFailed() }
        let entries = try await CommandContext.make().withOwnerPool { pool in
            try await pool.query(
                """
                SELECT t.slug, tt.kind, count(*) AS pending, count(*) FILTER (WHERE tt.due_at <= now()) AS overdue, min(tt.due_at) AS next_due_at
                FROM (SELECT tenant_id, kind, due_at FROM ticket_timers WHERE done_at IS NULL AND failed_at IS NULL
                      UNION ALL
                      SELECT tenant_id, kind, due_at FROM record_timers WHERE done_at IS NULL AND failed_at IS NULL) tt
                JOIN tenants t ON t.id = tt.tenant_id
                GROUP BY t.slug, tt.kind ORDER BY t.slug, tt.kind
                """
            ).map {
                Entry(
                    tenant: try $0.decode(String.self, "slug"),
                    kind: try $0.decode(String.self, "kind"),
                    pending: try $0.decode(Int.self, "pending"),
                    overdue: try $0.decode(Int.self, "overdue"),
                    nextDueAt: try $0.decode(Date?.self, "next_due_at")
                )
            }
        }
        if output.json { return try printJSON(entries) }
        printTable(
            ["TENANT", "KIND", "PENDING", "OVERDUE", "NEXT DUE"],
            entries.map {
                [$0.tenant, $0.kind, String($0.pending), String($0.overdue), $0.nextDueAt.map(KefuJSON.format) ?? "-"]
            }
        )
    }

    private func listFailed() async throws {
        let timers = try await CommandContext.make().withOwnerPool { pool in
            try await pool.query(
                """
                SELECT t.slug, kefu_ticket_reference(k.number) AS reference, tt.kind, tt.due_at, tt.failures, tt.failed_at, tt.last_error
                FROM ticket_timers tt
                JOIN tenants t ON t.id = tt.tenant_id
                JOIN tickets k ON k.tenant_id = tt.tenant_id AND k.id = tt.ticket_id
                WHERE tt.failed_at IS NOT NULL AND tt.done_at IS NULL
                UNION ALL
                SELECT t.slug, r.record_id::text, r.kind, r.due_at, r.failures, r.failed_at, r.last_error
                FROM record_timers r JOIN tenants t ON t.id = r.tenant_id
                WHERE r.failed_at IS NOT NULL AND r.done_at IS NULL
                ORDER BY 1, 6
                """
            ).map {
                FailedTimer(
                    tenant: try $0.decode(String.self, "slug"),
                    ticket: try $0.decode(String.self, "reference"),
                    kind: try $0.decode(String.self, "kind"),
                    dueAt: try $0.decode(Date.self, "due_at"),
                    failures: try $0.decode(Int.self, "failures"),
                    failedAt: try $0.decode(Date.self, "failed_at"),
                    lastError: try $0.decode(String?.self, "last_error")
                )
            }
        }
        if output.json { return try printJSON(timers) }
        printTable(
            ["TENANT", "TICKET", "KIND", "DUE", "FAILURES", "FAILED AT", "LAST ERROR"],
            timers.map {
                [
                    $0.tenant, $0.ticket, $0.kind, KefuJSON.format($0.dueAt), String($0.failures), KefuJSON.format($0.failedAt),
                    String(($0.lastError ?? "-").prefix(120)),
                ]
            }
        )
    }
}
