import Foundation
import KefuPostgres

extension TicketEvent {
    /// The columns `init(row:)` reads from `ticket_events` (the documents as text).
    static let columns: PostgresQuery = """
        id, ticket_id, seq, actor_kind, actor_id, kind, before::text AS before, after::text AS after, created_at
        """

    /// Reads a row of `columns`. Plain JSON decoding of the documents: their keys are kept
    /// exactly as stored.
    init(row: PostgresRow) throws {
        func document(_ text: String?) throws -> JSONValue? {
            try text.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        }
        self.init(
            id: try row.decode(UUID.self, "id"),
            ticketId: try row.decode(UUID.self, "ticket_id"),
            seq: try row.decode(Int.self, "seq"),
            actorKind: try row.decode(String.self, "actor_kind"),
            actorId: try row.decode(UUID?.self, "actor_id"),
            kind: try row.decode(String.self, "kind"),
            before: try document(row.decode(String?.self, "before")),
            after: try document(row.decode(String?.self, "after")),
            createdAt: try row.decode(Date.self, "created_at")
        )
    }
}
