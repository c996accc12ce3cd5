import Foundation
import KefuPostgres

/// Which existing ticket of the tenant an inbound message continues, by these rules in order:
/// 1. `In-Reply-To`/`References` naming a message Kefu sent (`<kefu.{message id}@…>`) or a ticket
///    (`<kefu.ticket.{ticket id}@…>`);
/// 2. `In-Reply-To`/`References` naming a message received or sent before (the `Message-ID`
///    stored with a message of the ticket);
/// 3. the ticket reference in the subject (`[T-000123]`) when the sender is that ticket's
///    customer (the ticket's contact, or an email contact of its customer).
/// Within a rule the nearest reference wins (In-Reply-To, then References newest first). A ticket
/// merged into another continues as the other. Only the transaction's tenant is searched.
enum EmailThreading {
    struct Thread {
        var ticketID: UUID
        var status: TicketStatus
    }

    static func thread(_ tx: TenantTransaction, answers: [String], subject: String?, sender: String) async throws -> Thread? {
        var kinds: [String] = []
        var ids: [UUID] = []
        for reference in answers {
            if let (kind, id) = kefuReference(reference) {
                kinds.append(kind)
                ids.append(id)
            }
        }
        let number = subject.flatMap(subjectNumber) ?? -1
        let senderContact = PostgresJSON([CustomerContact(kind: .email, value: sender, consent: true)])
        guard
            let row = try await tx.queryFirst(
                """
                SELECT COALESCE(m.id, t.id) AS id, COALESCE(m.status, t.status) AS status FROM (
                    SELECT 1 AS rule, r.ord, t.id FROM unnest(\(kinds)::text[], \(ids)::uuid[]) WITH ORDINALITY AS r(kind, ref, ord)
                    JOIN tickets t ON t.tenant_id = \(tx.tenantID) AND t.id = CASE WHEN r.kind = 'ticket' THEN r.ref ELSE
                        (SELECT k.ticket_id FROM ticket_messages k WHERE k.tenant_id = \(tx.tenantID) AND k.id = r.ref) END
                    UNION ALL
                    SELECT 2, r.ord, x.ticket_id FROM unnest(\(answers)::text[]) WITH ORDINALITY AS r(ref, ord)
                    CROSS JOIN LATERAL (
                        SELECT k.ticket_id FROM ticket_messages k WHERE k.tenant_id = \(tx.tenantID) AND k.email_message_id = r.ref
                        UNION ALL
                        SELECT e.ticket_id FROM inbound_emails e
                        WHERE e.tenant_id = \(tx.tenantID) AND e.message_id = r.ref AND e.ticket_id IS NOT NULL
                        LIMIT 1
                    ) x
                    UNION ALL
                    SELECT 3, 0, t.id FROM tickets t JOIN customers c ON c.tenant_id = t.tenant_id AND c.id = t.customer_id
                    WHERE t.tenant_id = \(tx.tenantID) AND t.number = \(number)
                      AND (lower(t.contact) = \(sender) OR c.contacts @> \(senderContact))
                ) found
                JOIN tickets t ON t.tenant_id = \(tx.tenantID) AND t.id = found.id
                LEFT JOIN tickets m ON m.tenant_id = t.tenant_id AND m.id = t.merged_into
                ORDER BY found.rule, found.ord LIMIT 1
                """
            )
        else { return nil }
        return Thread(
            ticketID: try row.decode(UUID.self, "id"),
            status: TicketStatus(rawValue: try row.decode(String.self, "status")) ?? .closed
        )
    }

    /// `kefu.ticket.{uuid}@…` → ("ticket", id); `kefu.{uuid}@…` → ("message", id).
    static func kefuReference(_ reference: String) -> (String, UUID)? {
        let local = reference.lowercased().split(separator: "@", maxSplits: 1).first ?? ""
        if local.hasPrefix("kefu.ticket."), let id = UUID(uuidString: String(local.dropFirst(12))) { return ("ticket", id) }
        if local.hasPrefix("kefu."), let id = UUID(uuidString: String(local.dropFirst(5))) { return ("message", id) }
        return nil
    }

    /// The number of the first `[T-000123]` in a subject (as `kefu_ticket_reference` writes it).
    static func subjectNumber(_ subject: String) -> Int64? {
        guard let range = subject.range(of: "\\[T-[0-9]{1,18}\\]", options: .regularExpression) else { return nil }
        return Int64(subject[range].dropFirst(3).dropLast())
    }
}
