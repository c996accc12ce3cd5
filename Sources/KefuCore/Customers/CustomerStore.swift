import Foundation
import KefuPostgres

/// Reads and writes customer rows inside a tenant transaction (shared by the customer service
/// and ticket intake, which may create a customer inline).
enum CustomerStore {
    static let columns: PostgresQuery = """
        id, tenant_id, external_id, name, segment, high_value, contacts, first_seen_at, created_at, updated_at, erased_at
        """

    static func fetch(_ tx: TenantTransaction, id: UUID) async throws -> Customer {
        try await tx.pipeline(fetchStatement(tx, id: id))
    }

    /// Validates and inserts a customer; with an `external_id` that already exists, returns that customer.
    static func insert(_ tx: TenantTransaction, _ input: NewCustomer, now: Date, field: String = "") async throws -> Customer {
        try await insert(tx, try CustomerDraft(input, field: field), now: now)
    }

    /// Inserts a validated customer; with an `external_id` that already exists, returns that customer.
    static func insert(_ tx: TenantTransaction, _ draft: CustomerDraft, now: Date) async throws -> Customer {
        if let externalID = draft.externalID,
            let existing = try await tx.queryFirst(
                Customer.self,
                """
                SELECT \(columns) FROM customers WHERE tenant_id = \(tx.tenantID) AND external_id = \(externalID)
                """
            )
        {
            return existing
        }
        return try await tx.pipeline(insertStatement(tx, draft, now: now))
    }

    /// The INSERT of `insert`, returning the customer's columns, for a pipeline. Without an
    /// `external_id` it is the whole of `insert`.
    static func insertStatement(_ tx: TenantTransaction, _ draft: CustomerDraft, now: Date) -> PostgresStatement<Customer> {
        let query: PostgresQuery = """
            INSERT INTO customers (tenant_id, external_id, name, segment, high_value, contacts, first_seen_at, created_at, updated_at)
            VALUES (\(tx.tenantID), \(draft.externalID), \(draft.name), \(draft.segment.rawValue), \(draft.highValue),
                    \(json: draft.contacts), \(draft.firstSeenAt ?? now), \(now), \(now))
            ON CONFLICT (tenant_id, external_id) DO UPDATE SET updated_at = customers.updated_at
            RETURNING \(columns)
            """
        return query.decoding(customer(from:))
    }

    /// The SELECT of `fetch`, for a pipeline.
    static func fetchStatement(_ tx: TenantTransaction, id: UUID) -> PostgresStatement<Customer> {
        let query: PostgresQuery = "SELECT \(columns) FROM customers WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        return query.decoding(customer(from:))
    }

    /// The customer in the result of `insertStatement` or `fetchStatement`.
    @Sendable private static func customer(from result: PostgresResult) throws -> Customer {
        guard let row = result.rows.first else { throw KefuError.notFound("customer") }
        return try row.decode(Customer.self)
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

/// A new customer's fields after validation (`field` prefixes the names in errors, e.g. `customer.name`).
struct CustomerDraft {
    var name: String
    var segment: CustomerSegment
    var externalID: String?
    var contacts: [CustomerContact]
    var highValue: Bool
    var firstSeenAt: Date?

    init(_ input: NewCustomer, field: String = "") throws {
        let prefix = field.isEmpty ? "" : field + "."
        name = try Validate.text(input.name, field: prefix + "name")
        segment = try Validate.choice(input.segment ?? CustomerSegment.regular.rawValue, CustomerSegment.self, field: prefix + "segment")
        externalID = try input.externalId.map { try Validate.text($0, field: prefix + "external_id") }
        contacts = try CustomerStore.validateContacts(input.contacts ?? [], field: prefix + "contacts")
        highValue = input.highValue ?? false
        firstSeenAt = input.firstSeenAt
    }
}
