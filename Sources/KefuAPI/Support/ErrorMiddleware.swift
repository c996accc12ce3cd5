import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import Logging
import NIOCore

/// The one error shape of the API: `{"error": {"code", "message", "field"}}`.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: ErrorCode
        var message: String
        var field: String?
    }
    var error: Detail
}

/// Turns every error into a JSON response with the right status. Domain and HTTP errors are
/// the caller's; anything else is logged with the request id and answered with a generic 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The served routes: a path served with other methods answers 405 with `Allow`, not 404.
    var routes = RouteTable()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(servedAt: request.uri.path)
            guard !allowed.isEmpty else {
                let (status, body) = Self.describe(error, request: request, logger: context.logger)
                return Self.response(status, body)
            }
            var response = Self.response(
                .methodNotAllowed,
                ErrorBody(
                    error: .init(
                        code: .methodNotAllowed,
                        message: "\(request.method) is not allowed on \(request.uri.path)"
                    )
                )
            )
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        } catch {
            let (status, body) = Self.describe(error, request: request, logger: context.logger)
            return Self.response(status, body)
        }
    }

    static func response(_ status: HTTPResponse.Status, _ body: ErrorBody) -> Response {
        var response = JSONResponse.make(status, body)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static func describe(_ error: any Error, request: Request, logger: Logger) -> (HTTPResponse.Status, ErrorBody) {
        func body(_ code: ErrorCode, _ message: String, _ field: String? = nil) -> ErrorBody {
            ErrorBody(error: .init(code: code, message: message, field: field))
        }
        /// Anything the caller did not cause: logged with the request id, answered with a generic 500.
        func unexpected() -> (HTTPResponse.Status, ErrorBody) {
            var metadata: Logger.Metadata = ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"]
            // The server's or libpq's own text (never bound values): what an operator needs.
            if let error = error as? PostgresError { metadata["db.message"] = "\(error.message)" }
            logger.error("unexpected error", metadata: metadata)
            return (.internalServerError, body(.internal, "unexpected server error (request \(logger[metadataKey: "hb.request.id"] ?? "?"))"))
        }
        switch error {
        case let error as KefuError:
            return (status(of: error), body(error.code, error.message, error.field))
        case let error as DecodingError:
            let field = DecodingErrors.fieldPath(error)
            if field == nil, case .dataCorrupted = error {
                return (.badRequest, body(.malformedJSON, "the request body is not valid JSON"))
            }
            return (.unprocessableContent, body(.invalidField, "\(field ?? "body"): \(DecodingErrors.reason(error))", field ?? "body"))
        case let error as HTTPError:
            switch error.status {
            case .notFound: return (.notFound, body(.notFound, "no such endpoint: \(request.method) \(request.uri.path)"))
            case .contentTooLarge: return (.contentTooLarge, body(.payloadTooLarge, "the request body is too large"))
            case .methodNotAllowed: return (.methodNotAllowed, body(.methodNotAllowed, "method not allowed"))
            default: return (error.status, body(.badRequest, error.body ?? error.status.reasonPhrase))
            }
        case is NIOTooManyBytesError:
            return (.contentTooLarge, body(.payloadTooLarge, "the request body is too large"))
        case let error as PostgresError where error.isConnectionLost || error.kind == .acquireTimeout:
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            return (.serviceUnavailable, body(.unavailable, "the database is unavailable; retry shortly"))
        case let error as PostgresError:
            if let refusal = DatabaseInputError(error) {
                logger.notice("database refused client input", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                return (refusal.status, body(refusal.code, refusal.message, refusal.field))
            }
            return unexpected()
        default:
            return unexpected()
        }
    }

    static func status(of error: KefuError) -> HTTPResponse.Status {
        switch error {
        case .notFound: .notFound
        case .invalidField, .idempotencyKeyReused: .unprocessableContent
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .unauthorized: .unauthorized
        case .tenantSuspended: .forbidden
        case .tooManyRequests: .tooManyRequests
        }
    }
}
