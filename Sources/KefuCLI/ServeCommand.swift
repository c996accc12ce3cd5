import ArgumentParser
import Foundation
import Hummingbird
import KefuAPI
import KefuCore
import KefuPostgres
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
        let services = KefuServices(
            pool: pool,
            principals: PrincipalCache(lifetime: .seconds(context.environment.authCacheSeconds))
        )
        let api = APIConfiguration(context.environment)
        let app = Application(
            router: KefuApplication.makeRouter(services: services, configuration: api),
            server: .kefu,
            configuration: .init(address: .hostname(api.host, port: api.port), serverName: "kefu"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0)" } ?? "\(api.host):\(api.port)"
                Console.write("Kefu API listening on \(address) (OpenAPI document at /openapi.yaml)")
                Console.write("No tenant yet? Create one: swift run kefu tenant create --slug acme --name \"Acme Ltd\"")
            },
            logger: context.logger
        )
        let group = ServiceGroup(
            services: [PoolService(pool: pool), app],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: context.logger
        )
        try await group.run()
    }
}

/// Keeps the connection pool open while the process runs and closes it last on shutdown
/// (it is the first service of the group, so it stops after everything that uses it).
struct PoolService: Service {
    let pool: ConnectionPool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.shutdown()
    }
}
