import Foundation
import KefuPostgres

/// Reads and writes customer rows inside a tenant transaction (shared by the customer service
/// and ticket intake, which may create a customer inline).
enum CustomerStore {
    static let columns: PostgresQuery = """
        id, tenant_id, external_id, name, segment, high_value, contacts, first_seen_at, created_at, updated_at
        """

    static func fetch(_ tx: TenantTransaction, id: UUID) async throws -> Customer {
        guard let customer = try await tx.queryFirst(Customer.self, """
            SELECT \(columns) FROM customers WHERE tenant_id = \(tx.tenantID) AND id = \(id)
            """) else { throw KefuError.notFound("customer") }
        return customer
    }

    /// Validates and inserts a customer; with an `external_id` that already exists, returns that customer.
    static func insert(_ tx: TenantTransaction, _ input: NewCustomer, now: Date, field: String = "") async throws -> Customer {
        let prefix = field.isEmpty ? "" : field + "."
        let name = try Validate.text(input.name, field: prefix + "name")
        let segment = try Validate.choice(input.segment ?? CustomerSegment.regular.rawValue, CustomerSegment.self, field: prefix + "segment")
        let externalID = try input.externalId.map { try Validate.text($0, field: prefix + "external_id") }
        let contacts = try validateContacts(input.contacts ?? [], field: prefix + "contacts")
        if let externalID, let existing = try await tx.queryFirst(Customer.self, """
            SELECT \(columns) FROM customers WHERE tenant_id = \(tx.tenantID) AND external_id = \(externalID)
            """) {
            return existing
        }
        return try require(try await tx.queryFirst(Customer.self, """
            INSERT INTO customers (tenant_id, external_id, name, segment, high_value, contacts, first_seen_at, created_at, updated_at)
            VALUES (\(tx.tenantID), \(externalID), \(name), \(segment.rawValue), \(input.highValue ?? false),
                    \(json: contacts), \(input.firstSeenAt ?? now), \(now), \(now))
            ON CONFLICT (tenant_id, external_id) DO UPDATE SET updated_at = customers.updated_at
            RETURNING \(columns)
            """))
    }

    /// Contacts are stored only with consent; values are checked by kind.
    static func validateContacts(_ contacts: [CustomerContact], field: String) throws -> [CustomerContact] {
        guard contacts.count <= 20 else { throw KefuError.invalidField(field, "at most 20 contacts") }
        return try contacts.enumerated().map { index, contact in
            let path = "\(field)[\(index)]"
            guard contact.consent else {
                throw KefuError.invalidField(path + ".consent", "must be true: contacts are stored only with the customer's consent")
            }
            var value = try Validate.text(contact.value, field: path + ".value", maxLength: 320)
            if contact.kind == .email { value = try Validate.email(value, field: path + ".value") }
            if contact.kind == .phone, value.range(of: "^\\+?[0-9 ()-]{5,20}$", options: .regularExpression) == nil {
                throw KefuError.invalidField(path + ".value", "must be a phone number")
            }
            return CustomerContact(kind: contact.kind, value: value, consent: true)
        }
    }
}
