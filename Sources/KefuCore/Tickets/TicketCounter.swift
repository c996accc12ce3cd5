import Foundation
import KefuPostgres

/// The tenant's ticket numbers: one counter row per tenant (sql/003), numbers from 1 without gaps
/// among committed intakes.
enum TicketCounter {
    /// A new ticket's number and its reference, as `kefu_ticket_reference` (sql/020) writes it.
    struct Next: Decodable, Sendable, Equatable {
        var number: Int
        var reference: String
    }

    /// Takes the next number. The counter row stays locked until the transaction ends, so take it
    /// last, just before the writes.
    static func nextStatement(_ tx: TenantTransaction) -> PostgresStatement<Next> {
        let query: PostgresQuery = """
            INSERT INTO ticket_counters (tenant_id, last_number) VALUES (\(tx.tenantID), 1)
            ON CONFLICT (tenant_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
            RETURNING last_number AS number, kefu_ticket_reference(last_number) AS reference
            """
        return query.decoding { result in
            guard let row = result.rows.first else { throw KefuError.notFound("ticket counter") }
            return try row.decode(Next.self)
        }
    }
}
