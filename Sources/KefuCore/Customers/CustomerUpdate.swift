import Foundation

/// A partial update of a customer: absent fields stay as they are; `external_id: null` clears
/// the external id, `null` on any other field is refused.
/// `contacts`, when given, replaces the whole list (each contact still needs consent).
public struct CustomerUpdate: Codable, Sendable, PartialUpdate {
    public var name: String?
    public var externalId: Clearable<String>?
    public var segment: String?
    public var highValue: Bool?
    public var contacts: [CustomerContact]?

    public init(
        name: String? = nil,
        externalId: Clearable<String>? = nil,
        segment: String? = nil,
        highValue: Bool? = nil,
        contacts: [CustomerContact]? = nil
    ) {
        self.name = name
        self.externalId = externalId
        self.segment = segment
        self.highValue = highValue
        self.contacts = contacts
    }
}
