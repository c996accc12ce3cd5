import Foundation
import KefuPostgres

extension TicketActionService {
    /// The escalated department acknowledges (within `sla.department_notify_minutes` of the
    /// escalation). For the department's members, supervisors and admins.
    public func departmentAck(_ principal: Principal, _ ticketID: UUID) async throws -> Ticket {
        try await mutate(principal, .departmentWork, ticketID, .departmentAck) { _, _, _ in .departmentAck }.ticket
    }

    /// The escalated department reports what blocks it; the supervisors are notified.
    public func departmentBlocker(_ principal: Principal, _ ticketID: UUID, _ input: DepartmentBlockerInput) async throws -> Ticket {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await mutate(principal, .departmentWork, ticketID, .departmentBlocker) { tx, _, _ in
            let supervisors = try await NotificationStore.supervisors(tx)
            return .departmentBlocker(reason: reason, supervisors: supervisors)
        }.ticket
    }

    /// The escalated department's solution is ready: the hand-back is due within
    /// `sla.solution_handback_minutes`.
    public func departmentSolved(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let note = try Self.body(input)
        return try await mutate(principal, .departmentWork, ticketID, .departmentSolved) { _, _, _ in .departmentSolved(note: note) }.ticket
    }

    /// The escalated department hands its solution back: the ticket returns to its owner, who
    /// must contact the customer within `sla.customer_contact_minutes`.
    public func departmentReply(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let body = try Self.body(input)
        return try await mutate(principal, .departmentWork, ticketID, .departmentReply) { _, _, _ in .departmentReply(body: body) }.ticket
    }
}
