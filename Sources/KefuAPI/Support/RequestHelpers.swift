import Foundation
import Hummingbird
import KefuCore

extension Request {
    /// Decodes the JSON body by the one input rule of the API (`StrictJSONDecoder`): malformed
    /// JSON is a 400, unknown members, misplaced `null`s, wrong kinds and control characters are
    /// 422s naming the field, an oversized body a 413.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext) async throws -> T {
        try StrictJSONDecoder.decode(T.self, from: try await bodyBytes(context: context))
    }

    /// The body as a raw JSON document (for merge patches), parsed as strictly as `decodeJSON`.
    func decodeJSONDocument(context: some RequestContext) async throws -> JSONValue {
        try StrictJSONParser.parse(try await bodyBytes(context: context)).value
    }

    private func bodyBytes(context: some RequestContext) async throws -> [UInt8] {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { throw KefuError.invalidField("body", "a JSON body is required") }
        return Array(buffer.readableBytesView)
    }

    /// `limit` and `cursor` query parameters.
    func pageRequest() throws -> PageRequest {
        let query = QueryParameters(self)
        return try PageRequest(limit: query.int("limit", in: 1...PageRequest.maximumLimit), cursor: query.string("cursor"))
    }
}

extension TenantRequestContext {
    /// A UUID path parameter; a malformed one is treated like an unknown id.
    func id(_ name: String = "id", entity: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else { throw KefuError.notFound(entity) }
        return id
    }
}

/// Wraps a value to send with 201 Created.
struct Created<Value: ResponseEncodable>: ResponseGenerator {
    let value: Value
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try value.response(from: request, context: context)
        response.status = .created
        return response
    }
}

/// Builds JSON responses outside the router's own encoding (health checks, errors).
enum JSONResponse {
    /// Health checks and errors: values that always encode (an encoding failure would be a bug).
    static func make(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        make(status, bytes: (try? CompactJSONEncoder().encode(value)) ?? Array("{}".utf8))
    }

    static func make(_ status: HTTPResponse.Status, bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A list answered as `{"items": [...]}` (lists that are not cursor-paginated).
struct ItemList<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
}

/// Hummingbird's `request.decode(as:context:)` with the API's one input rule, so a handler
/// cannot decode a body more leniently than `decodeJSON` by taking the framework's path.
public struct StrictRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        try await request.decodeJSON(type, context: context)
    }
}
