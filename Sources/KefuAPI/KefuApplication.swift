import Foundation
import Hummingbird
import KefuCore
import KefuRuntime
import Logging

/// Builds Kefu's HTTP application: routes, auth, errors, metrics.
public enum KefuApplication {
    /// The router with every route; tests drive it directly or through a live server. The
    /// routes end up in `routeTable`.
    public static func makeRouter(
        services: KefuServices,
        configuration: APIConfiguration,
        routeTable: RouteTable = RouteTable()
    ) -> Router<KefuRequestContext> {
        let metrics = MetricsRegistry.shared
        let router = Router(context: KefuRequestContext.self)
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes))
        router.add(middleware: ErrorMiddleware(routes: routeTable))
        router.add(middleware: MetricsMiddleware())
        OperationsRoutes(services: services, metrics: metrics).register(on: router)
        SurveyAnswerRoutes(services: services).register(on: router)
        SurveyPageRoutes(services: services).register(on: router)
        InboundEmailRoutes(services: services).register(on: router)

        let v1 = router.group("v1")
            .add(middleware: AuthMiddleware(apiKeys: services.apiKeys))
            .group(context: TenantRequestContext.self)
            .add(middleware: AuthorizationMiddleware())
        if let replica = services.database.replica {
            v1.add(middleware: ReadConsistencyMiddleware(replica: replica))
        }
        AccountRoutes(services: services).register(on: v1)
        SLAPolicyRoutes(services: services).register(on: v1)
        TemplateRoutes(services: services).register(on: v1)
        AgentRoutes(services: services).register(on: v1)
        DepartmentRoutes(services: services).register(on: v1)
        CustomerRoutes(services: services).register(on: v1)
        PersonalDataRoutes(services: services).register(on: v1)
        TagRoutes(services: services).register(on: v1)
        RoutingRuleRoutes(services: services).register(on: v1)
        APIKeyRoutes(services: services).register(on: v1)
        TicketRoutes(services: services).register(on: v1)
        TicketActionRoutes(services: services).register(on: v1)
        TicketPlanTeamRoutes(services: services).register(on: v1)
        FollowThroughRoutes(services: services).register(on: v1)
        ProblemReportRoutes(services: services).register(on: v1)
        SurgeRoutes(services: services).register(on: v1)
        KnowledgeRoutes(services: services).register(on: v1)
        TrainingRoutes(services: services).register(on: v1)
        ReportRoutes(services: services).register(on: v1)
        WebhookRoutes(services: services).register(on: v1)
        ChannelRoutes(services: services).register(on: v1)
        InboundEmailRoutes(services: services).register(on: v1)
        MailRelayRoutes(services: services).register(on: v1)
        StreamRoutes(services: services).register(on: v1)
        routeTable.load(from: router)
        return router
    }

    /// The application, ready to run as a `Service` of the process's `ServiceGroup`; `kefu serve`
    /// builds it this way. `onServerRunning` receives the address the server is bound to.
    public static func make(
        services: KefuServices,
        configuration: APIConfiguration,
        logger: Logger,
        onServerRunning: @escaping @Sendable (_ address: String?) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        Application(
            router: makeRouter(services: services, configuration: configuration),
            server: .kefu,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kefu"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress.map { "\($0)" }) },
            logger: logger
        )
    }
}

/// Puts the configured body limit on the request context.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = KefuRequestContext
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.bodyLimit = limit
        return try await next(request, context)
    }
}
