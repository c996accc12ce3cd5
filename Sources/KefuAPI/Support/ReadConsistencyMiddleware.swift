import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Decides where a request's lag-tolerant reads may go when the deployment has a read replica:
/// to the primary for a caller that wrote within the replica's lag bound (so the page after an
/// action shows it) or that asks with `Kefu-Consistency: strong`; otherwise the replica may serve
/// them (`ReadConsistency`). A caller is remembered by this process only: behind a load balancer,
/// a client that must read its write through another API process sends the header.
struct ReadConsistencyMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    static let header = HTTPField.Name("Kefu-Consistency")!
    let replica: ReadReplica

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let strong = request.headers[Self.header]?.lowercased() == "strong"
        let primaryOnly = strong || replica.writers.wroteRecently(context.principal.agentID)
        let response = try await ReadConsistency.$primaryOnly.withValue(primaryOnly) { try await next(request, context) }
        if request.method != .get, request.method != .head, (200..<300).contains(response.status.code) {
            replica.writers.wrote(context.principal.agentID)
        }
        return response
    }
}
