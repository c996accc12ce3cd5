import Hummingbird
import KefuCore

/// Resolves `Authorization: Bearer <key>` to a `Principal` on the request context.
/// Requests without the header pass through unauthenticated (the tenant context then refuses them).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = KefuRequestContext
    let apiKeys: APIKeyService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw KefuError.unauthorized("Authorization must be 'Bearer <key>'")
        }
        var context = context
        context.principal = try await apiKeys.authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces))
        return try await next(request, context)
    }
}
