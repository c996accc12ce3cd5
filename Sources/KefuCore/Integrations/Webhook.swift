import Foundation

/// A tenant's webhook: where Kefu posts the events it subscribes to, signed with its secret
/// (never shown after creation or rotation).
public struct Webhook: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var url: String
    public var events: [WebhookEventType]
    public var description: String?
    /// A channel gateway's webhook: it hears only of tickets on this channel (absent: all).
    public var channel: GatewayChannel?
    public var active: Bool
    /// Until when the previous secret still signs, after a rotation.
    public var previousSecretExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// A webhook with its new secret: the answer to creating one or rotating its secret, the only
/// time the secret is shown.
public struct WebhookWithSecret: Encodable, Sendable {
    public var webhook: Webhook
    public var secret: String

    public func encode(to encoder: any Encoder) throws {
        try webhook.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey { case secret }
}

/// `POST /v1/webhooks`: the URL (1–2,000 characters), 1–20 event types, an optional description
/// (at most 200 characters), an optional gateway `channel` and whether it is active (default true).
public struct NewWebhook: Decodable, Sendable {
    public var url: String
    public var events: [String]
    public var description: String?
    public var channel: String?
    public var active: Bool?

    public init(url: String, events: [String], description: String? = nil, channel: String? = nil, active: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.channel = channel
        self.active = active
    }
}

/// `PATCH /v1/webhooks/{id}`: any of the fields; `description: null` and `channel: null` clear them.
public struct WebhookUpdate: Decodable, Sendable {
    public var url: String?
    public var events: [String]?
    public var description: Clearable<String>?
    public var channel: Clearable<String>?
    public var active: Bool?
}
