import Foundation
import KefuPostgres

/// Customers of a tenant: search, read, create, update, and each customer's ticket history.
public struct CustomerService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Customers matching `filter`, oldest first (keyset on `created_at, id`); erased customers
    /// are left out.
    public func list(_ tenantID: UUID, filter: CustomerFilter, page: PageRequest) async throws -> Page<Customer> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Customer.self,
                """
                SELECT \(CustomerStore.columns) FROM customers
                WHERE tenant_id = \(tenantID) AND erased_at IS NULL\(filter.condition)\(page.keysetCondition)\(page.orderAndLimit)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    /// One customer; `notFound` for an id of another tenant, exactly as for an unknown one.
    public func get(_ tenantID: UUID, id: UUID) async throws -> Customer {
        try await database.transaction(tenantID, readOnly: true) { tx in try await CustomerStore.fetch(tx, id: id) }
    }

    /// Creates a customer. Unlike intake (which reuses a known `external_id`), an explicit create
    /// with an `external_id` the tenant already has is a conflict.
    public func create(_ tenantID: UUID, _ input: NewCustomer) async throws -> Customer {
        let externalID = input.externalId?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return try await database.transaction(tenantID) { tx in
            if !externalID.isEmpty,
                try await tx.queryFirst(
                    """
                    SELECT 1 FROM customers WHERE tenant_id = \(tenantID) AND external_id = \(externalID)
                    """
                ) != nil
            {
                throw KefuError.conflict("a customer with external_id \(externalID) already exists")
            }
            return try await CustomerStore.insert(tx, input, now: clock.now())
        }
    }

    /// Applies a partial update; `contacts` replaces the list and is checked for consent.
    public func update(_ tenantID: UUID, id: UUID, _ input: CustomerUpdate) async throws -> Customer {
        let name = try input.name.map { try Validate.text($0, field: "name") }
        let externalID = try input.externalId?.value.map { try Validate.text($0, field: "external_id") }
        let clearsExternalID = input.externalId == .clear
        let segment = try input.segment.map { try Validate.choice($0, CustomerSegment.self, field: "segment").rawValue }
        let contacts = try input.contacts.map { PostgresJSON(try CustomerStore.validateContacts($0, field: "contacts")) }
        let now = clock.now()
        return try await database.transaction(tenantID) { tx in
            guard try await CustomerStore.fetch(tx, id: id).erasedAt == nil else {
                throw KefuError.conflict("the customer's personal data was erased and is not written again")
            }
            do {
                guard
                    let customer = try await tx.queryFirst(
                        Customer.self,
                        """
                        UPDATE customers SET
                            name = COALESCE(\(name), name), external_id = CASE WHEN \(clearsExternalID) THEN NULL ELSE COALESCE(\(externalID), external_id) END,
                            segment = COALESCE(\(segment), segment), high_value = COALESCE(\(input.highValue), high_value),
                            contacts = COALESCE(\(contacts), contacts), updated_at = \(now)
                        WHERE tenant_id = \(tenantID) AND id = \(id)
                        RETURNING \(CustomerStore.columns)
                        """
                    )
                else { throw KefuError.notFound("customer") }
                return customer
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("a customer with external_id \(externalID ?? "") already exists")
            }
        }
    }

    /// The customer's tickets, newest first: a descending keyset on `(created_at, id)`, so the
    /// cursor of one page continues with older tickets.
    public func tickets(_ tenantID: UUID, customerID: UUID, page: PageRequest) async throws -> Page<CustomerTicketSummary> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await CustomerStore.fetch(tx, id: customerID)
            var keyset: PostgresQuery = ""
            if let after = page.after {
                keyset = " AND (created_at, id) < (\(after.createdAt), \(after.id))"
            }
            return try await tx.query(
                CustomerTicketSummary.self,
                """
                SELECT id, kefu_ticket_reference(number) AS number, status, priority, category, channel, subject, created_at, resolved_at FROM tickets
                WHERE tenant_id = \(tenantID) AND customer_id = \(customerID)\(keyset)
                ORDER BY created_at DESC, id DESC LIMIT \(page.limit + 1)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }
}
