import Foundation

/// An intake routing rule: the first active rule (by `position`, then age) whose conditions all
/// match a new ticket picks its skill group, tier range and/or priority. A condition left unset
/// (nil, or no keywords) matches anything. Enumerated fields hold their validated raw values, so
/// intake compares them with `TicketChannel.rawValue` and the like.
public struct RoutingRule: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    /// Lower positions are tried first.
    public var position: Int
    public var name: String

    // Conditions.
    /// Lowercased words; the rule matches when the ticket's text contains any of them.
    public var keywords: [String]
    /// A `CustomerSegment` raw value.
    public var segment: String?
    /// `true`: only new customers; `false`: only returning ones.
    public var newCustomer: Bool?
    /// A `TicketCategory` raw value.
    public var category: String?
    /// A `TicketChannel` raw value.
    public var channel: String?

    // Outcome.
    /// The skill the chosen agent must have (e.g. `refund`).
    public var skill: String?
    /// The lowest `AgentTier` (raw value) that may take the ticket.
    public var minTier: String?
    /// The highest `AgentTier` (raw value) that may take the ticket; never below `min_tier`.
    public var maxTier: String?
    /// A `TicketPriority` raw value the ticket gets.
    public var priority: String?

    public var active: Bool
    public var createdAt: Date
}
