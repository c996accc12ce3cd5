import Foundation

/// The audit record of a customer's erasure (PIPL / GDPR): who erased them, when, why, and how
/// many tickets were erased with them. Written once, by `kefu_erase_customer` (sql/021).
public struct CustomerErasure: Codable, Sendable, Equatable {
    public var customerId: UUID
    public var erasedAt: Date
    public var erasedBy: UUID
    public var reason: String
    public var tickets: Int
    /// True when the customer had already been erased: the record is the first erasure's and
    /// nothing changed.
    public var alreadyErased: Bool
}

/// The body of `POST /v1/customers/{id}/erase`.
public struct ErasureRequest: Codable, Sendable {
    /// Why the customer's data is erased (1–500 characters), kept in the audit record.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}
