import Foundation
import KefuPostgres
import Logging

/// The database Kefu talks to: the configured server, or the embedded cluster started on demand.
public struct DatabaseRuntime: Sendable {
    /// The application role; it owns nothing and has no BYPASSRLS (created by sql/001).
    public static let applicationRole = "kefu_app"

    /// Owner connection: migrations and operator commands.
    public let ownerConfiguration: PostgresConfiguration
    /// Application connection: the API and the worker (row-level security applies).
    public let appConfiguration: PostgresConfiguration
    /// When the app connects as the owner, each connection switches to the application role.
    public let appNeedsSetRole: Bool
    /// Set when this process started the embedded cluster.
    public let embedded: EmbeddedPostgres?
    public let startedEmbedded: Bool

    /// Resolves the configured database, starting (or reusing) the embedded cluster when
    /// `DATABASE_URL` is unset.
    public static func resolve(_ environment: KefuEnvironment, logger: Logger) throws -> DatabaseRuntime {
        if environment.databaseURL == nil, let appURL = environment.appDatabaseURL {
            // An API or worker container with only the application role's credentials.
            let app = try PostgresConfiguration(appURL)
            return DatabaseRuntime(ownerConfiguration: app, appConfiguration: app, appNeedsSetRole: false,
                                   embedded: nil, startedEmbedded: false)
        }
        if let url = environment.databaseURL {
            let owner = try PostgresConfiguration(url)
            if let appURL = environment.appDatabaseURL {
                return DatabaseRuntime(ownerConfiguration: owner, appConfiguration: try PostgresConfiguration(appURL),
                                       appNeedsSetRole: false, embedded: nil, startedEmbedded: false)
            }
            logger.notice("KEFU_APP_DATABASE_URL is not set: the application connects as the owner and switches to role \(applicationRole)")
            return DatabaseRuntime(ownerConfiguration: owner, appConfiguration: owner, appNeedsSetRole: true,
                                   embedded: nil, startedEmbedded: false)
        }
        let (embedded, started) = try startEmbedded(home: environment.home, logger: logger)
        try ensureDatabase(embedded)
        let owner = embedded.configuration()
        return DatabaseRuntime(ownerConfiguration: owner, appConfiguration: owner.with(user: applicationRole),
                               appNeedsSetRole: false, embedded: embedded, startedEmbedded: started)
    }

    private static func startEmbedded(home: URL, logger: Logger) throws -> (EmbeddedPostgres, Bool) {
        let embedded = try EmbeddedPostgres(.init(dataDirectory: home.appendingPathComponent("pgdata")), logger: logger)
        do {
            return (embedded, try embedded.start())
        } catch EmbeddedPostgresError.notAccessible(let path) {
            // Running as root in a directory the postgres user cannot reach (e.g. under /root).
            let fallback = URL(fileURLWithPath: "/var/tmp/kefu-" + SHA256.hex(Array(home.path.utf8)).prefix(12))
            logger.notice("the postgres user cannot reach \(path); using \(fallback.path) for the embedded cluster")
            try FileManager.default.createDirectory(at: fallback, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fallback.path)
            let relocated = try EmbeddedPostgres(.init(dataDirectory: fallback.appendingPathComponent("pgdata")), logger: logger)
            return (relocated, try relocated.start())
        }
    }

    /// Creates the `kefu` database inside the embedded cluster if it is missing.
    private static func ensureDatabase(_ embedded: EmbeddedPostgres) throws {
        try embedded.createDatabaseIfMissing(EmbeddedPostgres.defaultDatabase)
    }

    /// A pool on the application role.
    public func makeAppPool(size: Int, logger: Logger) -> ConnectionPool {
        let setRole = appNeedsSetRole
        return ConnectionPool(appConfiguration, configuration: .init(maxConnections: size, onConnect: { connection in
            if setRole { try await connection.simpleQuery("SET ROLE \(DatabaseRuntime.applicationRole)") }
        }), logger: logger)
    }

    /// A pool on the owner role (operator commands).
    public func makeOwnerPool(size: Int = 4, logger: Logger) -> ConnectionPool {
        ConnectionPool(ownerConfiguration, configuration: .init(maxConnections: size), logger: logger)
    }

    /// Stops the embedded cluster if this process started it.
    public func stopIfStarted() {
        guard startedEmbedded, let embedded else { return }
        try? embedded.stop()
    }
}
