import Foundation
import KefuPostgres

extension TicketActionService {
    /// Corrects a ticket's priority, category, tags, subject or expected time (its owner, or a
    /// supervisor or admin; archived tickets refuse with 409). Each change is an event; a new
    /// priority recomputes the clocks (`TicketChange.applyEdit`).
    public func edit(_ principal: Principal, _ ticketID: UUID, _ input: TicketEditInput) async throws -> Ticket {
        let edit = try Self.validated(input)
        return try await mutate(principal, .editTicket, ticketID, .edit) { tx, ticket, _ in
            var resolved = edit
            if let tags = edit.tagIDs { try await TagStore.requireLeaves(tx, tags, field: "tag_ids") }
            if let priority = edit.priority, priority <= .p2, ticket.priority > .p2 {
                resolved.supervisors = try await NotificationStore.supervisors(tx)
            }
            return .edit(resolved)
        }.ticket
    }

    /// The checks that need no database; at least one field must be given.
    static func validated(_ input: TicketEditInput) throws -> TicketEdit {
        var edit = TicketEdit()
        edit.priority = try input.priority.map { try Validate.choice($0.uppercased(), TicketPriority.self, field: "priority") }
        edit.category = try input.category.map { try Validate.choice($0, TicketCategory.self, field: "category") }
        if let tags = input.tagIds {
            let unique = Array(Set(tags)).sorted { $0.uuidString < $1.uuidString }
            guard unique.count <= 20 else { throw KefuError.invalidField("tag_ids", "at most 20 tags") }
            edit.tagIDs = unique
        }
        switch input.subject {
        case .set(let text): edit.subject = .set(try Validate.text(text, field: "subject", maxLength: 300))
        case .clear: edit.subject = .clear
        case nil: break
        }
        edit.expectedResolutionAt = input.expectedResolutionAt
        guard edit != TicketEdit() else {
            throw KefuError.invalidField("body", "give at least one of priority, category, tag_ids, subject, expected_resolution_at")
        }
        return edit
    }
}
