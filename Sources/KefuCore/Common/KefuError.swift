import KefuPostgres

/// A domain error: what went wrong in terms a user of the API or CLI can act on.
/// The HTTP layer maps each case to one status and the JSON shape
/// `{"error": {"code", "message", "field"}}`.
public enum KefuError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The entity does not exist — or belongs to another tenant (never say which).
    case notFound(String)
    /// A field of the input is missing or wrong.
    case invalidField(String, String)
    /// The request conflicts with the current state (duplicate, invalid transition).
    case conflict(String)
    /// The caller may not do this.
    case forbidden(String)
    /// No valid credentials.
    case unauthorized(String)
    /// The tenant is suspended: its keys stop working.
    case tenantSuspended
    /// An `Idempotency-Key` already used for another request (a different body).
    case idempotencyKeyReused
    /// A limit on how much one tenant or key may hold at once (live streams) was reached.
    case tooManyRequests(String)

    public var code: ErrorCode {
        switch self {
        case .notFound: .notFound
        case .invalidField: .invalidField
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .unauthorized: .unauthorized
        case .tenantSuspended: .tenantSuspended
        case .idempotencyKeyReused: .idempotencyKeyReused
        case .tooManyRequests: .tooManyRequests
        }
    }

    public var message: String {
        switch self {
        case .notFound(let entity): "\(entity) not found"
        case .invalidField(let field, let reason): "\(field): \(reason)"
        case .conflict(let message), .forbidden(let message), .unauthorized(let message), .tooManyRequests(let message): message
        case .tenantSuspended: "this tenant is suspended"
        case .idempotencyKeyReused: "this Idempotency-Key was already used for a different request"
        }
    }

    /// The input field at fault, if any.
    public var field: String? {
        switch self {
        case .invalidField(let field, _): field
        case .idempotencyKeyReused: "Idempotency-Key"
        default: nil
        }
    }

    public var description: String { message }
}

extension PostgresError {
    /// Maps constraint violations that validation could not rule out (races) to domain errors.
    public func asDomainError(uniqueMessage: String) -> any Error {
        if isUniqueViolation { return KefuError.conflict(uniqueMessage) }
        return self
    }
}
