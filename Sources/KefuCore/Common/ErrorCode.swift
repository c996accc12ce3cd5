/// Every `code` an error answer can carry (`{"error": {"code", "message", "field"}}`), in one
/// place: the API, the CLI and the OpenAPI document's enum (a test compares them) use these.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case notFound = "not_found"
    case invalidField = "invalid_field"
    case conflict
    case forbidden
    case unauthorized
    case tenantSuspended = "tenant_suspended"
    case malformedJSON = "malformed_json"
    case payloadTooLarge = "payload_too_large"
    case requestTooLarge = "request_too_large"
    case methodNotAllowed = "method_not_allowed"
    case badRequest = "bad_request"
    case idempotencyKeyReused = "idempotency_key_reused"
    case tooManyRequests = "too_many_requests"
    case unavailable
    case `internal`
}
