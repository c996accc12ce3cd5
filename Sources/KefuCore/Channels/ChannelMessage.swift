import Foundation

/// A channel a gateway posts customer messages from (`POST /v1/channels/{channel}/messages`):
/// a chat widget, an app, a social platform or a community. Email has its own inbound path; phone
/// calls are taken in as tickets.
public enum GatewayChannel: String, Codable, Sendable, CaseIterable {
    case chat
    case inApp = "in_app"
    case social, community

    /// The ticket channel its conversations are on.
    public var ticketChannel: TicketChannel {
        switch self {
        case .chat: .chat
        case .inApp: .inApp
        case .social: .social
        case .community: .community
        }
    }
}

/// `POST /v1/channels/{channel}/messages`: one customer message from a channel gateway.
/// `message_id` is the platform's id (1–200 characters; a second post of it changes nothing);
/// `customer` is found by its `external_id` (required) or created; `text` is 1–20,000
/// characters. `category` (default `inquiry`) and `subject` (at most 300) apply only when the
/// message opens a ticket.
public struct ChannelMessageInput: Codable, Sendable {
    public var messageId: String
    public var customer: NewCustomer
    public var text: String
    public var category: String?
    public var subject: String?

    public init(messageId: String, customer: NewCustomer, text: String, category: String? = nil, subject: String? = nil) {
        self.messageId = messageId
        self.customer = customer
        self.text = text
        self.category = category
        self.subject = subject
    }
}

/// What became of a channel message: the ticket it is on, its message there, and whether it
/// opened that ticket. A repeated post of the same platform message answers the first receipt.
public struct ChannelMessageReceipt: Codable, Sendable, Equatable {
    public var channel: GatewayChannel
    public var messageId: String
    public var ticketId: UUID
    public var ticketMessageId: UUID
    public var openedTicket: Bool
    public var receivedAt: Date
}
