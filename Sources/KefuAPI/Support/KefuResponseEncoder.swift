import Hummingbird
import KefuCore

/// Encodes handler results as JSON with `CompactJSONEncoder` (Kefu's conventions, without
/// Foundation's `JSONEncoder` overhead on every response).
public struct KefuResponseEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(.ok, bytes: try CompactJSONEncoder().encode(value))
    }
}
