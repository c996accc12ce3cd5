import Foundation

/// The row both sides insert: shaped like a helpdesk ticket, with the same vocabulary on both
/// sides so the server does the same work for each.
enum TicketShape {
    /// The benchmark's own table, created and dropped by the run.
    static let table = "kefu_bench_tickets"

    /// How many tenants the rows are spread over.
    static let tenantCount = 8
    static let channels = ["email", "chat", "phone", "web"]
    static let priorities = ["low", "normal", "high", "urgent"]
    static let statuses = ["new", "open", "pending", "solved", "closed"]
    /// Ticket numbers are drawn from 1...maxNumber.
    static let maxNumber = 1_000_000_000
    /// A typical first message (about 200 bytes), the same on every row.
    static let description = """
        Hello, since this morning the invoice PDF attached to order confirmations is blank when \
        opened on mobile. Desktop works. Could you please check? Order numbers are in the thread.
        """

    /// Tenant `n` (1-based): a fixed UUID whose last group is the zero-padded number, so pgbench
    /// can build the same value from an integer (`lpad(:tenant::text, 12, '0')`).
    static func tenantID(_ number: Int) -> String {
        let digits = String(number)
        return tenantPrefix + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// The constant part of every tenant UUID.
    static let tenantPrefix = "00000000-0000-4000-8000-"

    /// The subject line for ticket `number`.
    static func subject(number: Int) -> String { "Invoice PDF is blank - ticket #\(number)" }

    /// `CREATE TABLE` plus the secondary index a ticket list needs (tenant, status, newest first).
    static let createStatements = [
        """
        CREATE TABLE \(table) (
            tenant_id uuid NOT NULL,
            id uuid NOT NULL,
            number bigint NOT NULL,
            channel text NOT NULL,
            priority text NOT NULL,
            status text NOT NULL,
            subject text NOT NULL,
            description text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, id)
        )
        """,
        "CREATE INDEX \(table)_status ON \(table) (tenant_id, status, created_at)",
    ]

    /// The column list of the INSERT, shared by both sides.
    static let columns = "tenant_id, id, number, channel, priority, status, subject, description, created_at"
}
