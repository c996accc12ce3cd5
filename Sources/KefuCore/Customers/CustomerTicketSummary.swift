import Foundation

/// One line of a customer's ticket history.
public struct CustomerTicketSummary: Codable, Sendable, Equatable {
    public var id: UUID
    /// The tenant's human-readable ticket number, e.g. `T-000123`.
    public var number: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var category: TicketCategory
    public var channel: TicketChannel
    public var subject: String?
    public var createdAt: Date
    public var resolvedAt: Date?
}

/// A `tickets` row as the history query reads it (the number still numeric).
struct CustomerTicketRow: Decodable {
    var id: UUID
    var number: Int
    var status: TicketStatus
    var priority: TicketPriority
    var category: TicketCategory
    var channel: TicketChannel
    var subject: String?
    var createdAt: Date
    var resolvedAt: Date?

    var summary: CustomerTicketSummary {
        CustomerTicketSummary(
            id: id,
            number: Ticket.reference(number),
            status: status,
            priority: priority,
            category: category,
            channel: channel,
            subject: subject,
            createdAt: createdAt,
            resolvedAt: resolvedAt
        )
    }
}
