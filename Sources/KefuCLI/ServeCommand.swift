import ArgumentParser
import Foundation
import Hummingbird
import KefuAPI
import KefuCore
import KefuPostgres
import KefuRuntime
import ServiceLifecycle

/// `kefu serve`: the HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (KEFU_HTTP_HOST:KEFU_HTTP_PORT). Migrates the embedded cluster first."
    )

    @Flag(help: "Apply pending migrations before serving, also with DATABASE_URL.")
    var migrate = false

    func run() async throws {
        let context = try CommandContext.make(label: "kefu.api")
        defer { context.database.stopIfStarted() }
        if migrate || context.database.embedded != nil { try await context.migrate() }
        let pool = try context.database.makeAppPool(size: context.environment.poolSize, logger: context.logger)
        let replica = try context.database.makeReadReplica(
            context.environment,
            primary: pool,
            size: context.environment.poolSize,
            logger: context.logger
        )
        let services = KefuServices(
            pool: pool,
            principals: PrincipalCache(lifetime: .seconds(context.environment.authCacheSeconds)),
            webhookTargets: context.environment.webhookTargets,
            replica: replica,
            mailSenders: context.environment.email.senderAddresses,
            secrets: context.environment.email.secrets,
            streams: context.environment.streams
        )
        let api = APIConfiguration(context.environment)
        let app = KefuApplication.make(services: services, configuration: api, logger: context.logger) { address in
            Console.write("Kefu API listening on \(address ?? "\(api.host):\(api.port)") (OpenAPI document at /openapi.yaml)")
            Console.write("No tenant yet? Create one: swift run kefu tenant create --slug acme --name \"Acme Ltd\"")
        }
        var running: [any Service] = [PoolService(pool: pool)]
        if let replica { running.append(PoolService(pool: replica.pool)) }
        running.append(app)
        let group = ServiceGroup(
            services: running,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: context.logger
        )
        try await group.run()
    }
}
