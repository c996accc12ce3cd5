import Foundation

/// The first acknowledgement a customer gets, within a minute of intake on every channel: the
/// one home of its text and of who gives it.
///
/// - On every channel but `phone`, Kefu records it at intake as a public system message in the
///   tenant's language (template `acknowledgement`): the acknowledgement clock is met at intake.
/// - On `phone` a person answers before Kefu could: a phone ticket taken in by a person (an
///   agent, supervisor or admin key, i.e. whoever took the call) is acknowledged by that call at
///   intake, without a message. One taken in by a channel gateway (an `integration` key: a
///   voicemail or call-back request) has been answered by nobody yet: its clock runs, and the
///   agent's first public reply (`respond`, `request-info`, `plan`, `resolve`) must come within
///   the minute, or the worker records the `acknowledgement` breach.
enum Acknowledgement {
    /// How long after intake the customer must have been acknowledged.
    static let dueSeconds: TimeInterval = 60

    /// How a new ticket is acknowledged.
    enum AtIntake: String, Sendable {
        /// Kefu sends the acknowledgement message.
        case message
        /// The person who took the call answered the customer.
        case call
        /// Nobody has answered yet: the clock runs.
        case pending
    }

    /// How a ticket on `channel` is acknowledged at intake, taken in by a channel gateway or not.
    static func atIntake(channel: TicketChannel, byGateway: Bool) -> AtIntake {
        guard channel == .phone else { return .message }
        return byGateway ? .pending : .call
    }
}
