import Foundation

/// Where a delivery stands: not yet attempted, failed and waiting for its next attempt,
/// delivered (a 2xx answer), or dead (out of attempts, until retried by hand).
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    case pending, failed, delivered, dead
}

/// One event on its way to one webhook. Its `id` is the `Kefu-Delivery` header of every attempt.
public struct Delivery: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    /// The webhook it goes to, or
    public var webhookId: UUID?
    /// the group robot it goes to, or
    public var robotId: UUID?
    /// by email to the ticket's customer (`event_type` `email.message`, the message's id its source).
    public var email: Bool
    /// A `WebhookEventType`, for a robot a `RobotAlertType`, for an email `email.message`.
    public var eventType: String
    public var ticketId: UUID?
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?
    public var deadAt: Date?
}

/// One attempt: when, how long it took, the receiver's status code or the error.
public struct DeliveryAttempt: Codable, Sendable, Equatable {
    public var attempt: Int
    public var startedAt: Date
    public var latencyMs: Double
    public var statusCode: Int?
    public var error: String?
}

/// A delivery with its attempts and the body it sends (`GET /v1/deliveries/{id}`).
public struct DeliveryDetail: Encodable, Sendable {
    public var delivery: Delivery
    public var body: String?
    public var history: [DeliveryAttempt]

    public func encode(to encoder: any Encoder) throws {
        try delivery.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(body, forKey: .body)
        try container.encode(history, forKey: .history)
    }

    enum CodingKeys: String, CodingKey { case body, history }
}

/// Which deliveries to list.
public struct DeliveryFilter: Sendable {
    public var statuses: [DeliveryStatus]
    public var webhookId: UUID?
    public var robotId: UUID?

    public init(statuses: [DeliveryStatus] = [], webhookId: UUID? = nil, robotId: UUID? = nil) {
        self.statuses = statuses
        self.webhookId = webhookId
        self.robotId = robotId
    }
}
