import Foundation
import KefuPostgres

extension TicketActionService {
    /// Merges the duplicate `ticketID` into `input.into`, another open ticket of the same
    /// customer, in one transaction: both tickets are locked (in id order, so two merges of the
    /// same pair cannot deadlock), the duplicate is closed as `merged` through the lifecycle
    /// (409 unless it is open), and the target records a `merged_from` event. Refused: the
    /// ticket itself or a ticket that does not exist (422 `into`), another customer's ticket
    /// (422 `into`), a target that is not open — resolved, closed, archived, merged (409).
    public func merge(_ principal: Principal, _ ticketID: UUID, _ input: MergeInput) async throws -> Ticket {
        guard input.into != ticketID else { throw KefuError.invalidField("into", "is the ticket itself") }
        return try await database.transaction(principal.tenantID) { tx in
            _ = try await tx.query(
                """
                SELECT id FROM tickets WHERE tenant_id = \(tx.tenantID) AND id IN (\(ticketID), \(input.into)) ORDER BY id FOR UPDATE
                """
            )
            var target: Ticket?
            let change = try await mutate(
                tx,
                ticketID,
                .merge,
                by: .agent(principal.agentID),
                authorize: { try principal.authorize(.merge, on: $0.ownerId, standing: $1) },
                commit: false
            ) { tx, duplicate, _ in
                let into: Ticket
                do {
                    into = try await TicketStore.fetch(tx, id: input.into)
                } catch KefuError.notFound {
                    throw KefuError.invalidField("into", "no such ticket")
                }
                guard into.customerId == duplicate.customerId else {
                    throw KefuError.invalidField("into", "is a ticket of another customer")
                }
                guard into.status.isOpen else {
                    throw KefuError.conflict("cannot merge into a ticket that is \(into.status.rawValue.replacingOccurrences(of: "_", with: " "))")
                }
                target = into
                return .merge(into: MergeTarget(id: into.id, reference: into.reference))
            }
            let into = try require(target)
            try await TicketStore.save(
                .receivingMerge(of: change.before ?? change.ticket, into: into, by: .agent(principal.agentID), at: change.at),
                in: tx
            )
            return change.ticket
        }
    }
}
