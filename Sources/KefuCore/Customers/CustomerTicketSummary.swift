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
