import Foundation

/// A customer's value to the business; VIPs route to mid or senior agents.
public enum CustomerSegment: String, Codable, Sendable, CaseIterable {
    case vip, enterprise, regular
}

/// A way to reach a customer, kept only with the customer's consent.
public struct CustomerContact: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case phone, email, chat
    }

    public var kind: Kind
    public var value: String
    public var consent: Bool

    public init(kind: Kind, value: String, consent: Bool) {
        self.kind = kind
        self.value = value
        self.consent = consent
    }
}

/// A customer of one tenant.
public struct Customer: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var externalId: String?
    public var name: String
    public var segment: CustomerSegment
    public var highValue: Bool
    public var contacts: [CustomerContact]
    /// When the tenant first saw this customer: "new" customers were first seen recently.
    public var firstSeenAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    /// When the customer's personal data was erased (absent: never); the name is then the tombstone.
    public var erasedAt: Date?
}

/// Input for a new customer (also accepted inline at ticket intake).
public struct NewCustomer: Codable, Sendable {
    public var name: String
    public var externalId: String?
    public var segment: String?
    public var highValue: Bool?
    public var contacts: [CustomerContact]?
    public var firstSeenAt: Date?

    public init(
        name: String,
        externalId: String? = nil,
        segment: String? = nil,
        highValue: Bool? = nil,
        contacts: [CustomerContact]? = nil,
        firstSeenAt: Date? = nil
    ) {
        self.name = name
        self.externalId = externalId
        self.segment = segment
        self.highValue = highValue
        self.contacts = contacts
        self.firstSeenAt = firstSeenAt
    }
}
