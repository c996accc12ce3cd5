import Foundation

/// What became of an inbound message: the answer of `POST /v1/inbound/email/{token}`.
public struct InboundEmailResult: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// A new ticket on channel `email`.
        case created
        /// A customer message on an existing ticket.
        case appended
        /// Neither: `reason` says why (a loop rule, or `duplicate`).
        case ignored
    }

    public var outcome: Outcome
    /// The ticket created or appended to (for a duplicate: the one the first delivery went to).
    public var ticketId: UUID?
    /// `EmailLoopRule` raw values, or `duplicate`.
    public var reason: String?
    /// The message's `Message-ID` (for a message without one: `sha256.<hex of the raw message>@kefu.invalid`).
    public var messageId: String
    public var attachments: [EmailAttachment]
    public var droppedAttachments: [DroppedAttachment]

    /// The reason of a message received before.
    public static let duplicate = "duplicate"
}
