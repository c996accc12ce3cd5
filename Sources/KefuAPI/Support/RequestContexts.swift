import Foundation
import Hummingbird
import KefuCore
import Logging

/// The context of every request: Kefu's JSON conventions, the body limit, and the caller once
/// the auth middleware has resolved the API key.
public struct KefuRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` for requests carrying a valid key.
    public var principal: Principal?
    var bodyLimit: Int

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.bodyLimit = APIConfiguration.defaultMaxBodyBytes
    }

    public var maxUploadSize: Int { bodyLimit }
    public var requestDecoder: StrictRequestDecoder { StrictRequestDecoder() }
    public var responseEncoder: KefuResponseEncoder { KefuResponseEncoder() }
}

/// The context of `/v1` routes: a handler cannot exist without an authenticated tenant and agent.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal
    let bodyLimit: Int

    public init(context: KefuRequestContext) throws {
        guard let principal = context.principal else {
            throw KefuError.unauthorized("missing or invalid API key (send Authorization: Bearer <key>)")
        }
        self.coreContext = context.coreContext
        self.principal = principal
        self.bodyLimit = context.bodyLimit
        self.logger[metadataKey: "tenant.id"] = .string(principal.tenantID.uuidString)
        self.logger[metadataKey: "agent.id"] = .string(principal.agentID.uuidString)
    }

    public var maxUploadSize: Int { bodyLimit }
    public var requestDecoder: StrictRequestDecoder { StrictRequestDecoder() }
    public var responseEncoder: KefuResponseEncoder { KefuResponseEncoder() }

    /// The caller's tenant.
    public var tenantID: UUID { principal.tenantID }
}
