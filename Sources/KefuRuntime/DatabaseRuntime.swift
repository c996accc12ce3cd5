import Foundation
import KefuCore
import KefuPostgres
import Logging

/// The database Kefu talks to: the configured server, or the embedded cluster started on demand,
/// and how each process connects to it (owner, application role, worker role).
public struct DatabaseRuntime: Sendable {
    /// The application role of the API; it owns nothing and has no BYPASSRLS (sql/001).
    public static let applicationRole = "kefu_app"
    /// The worker's role: the application role's rights plus the cross-tenant worker functions (sql/017).
    public static let workerRole = "kefu_worker"

    /// Owner connection: migrations and operator commands.
    public let ownerConfiguration: PostgresConfiguration
    /// How the API connects (nil: no URL for it is configured).
    public let app: RoleConnection?
    /// How the worker connects (nil: no URL for it is configured).
    public let worker: RoleConnection?
    /// Set when this process started the embedded cluster.
    public let embedded: EmbeddedPostgres?
    public let startedEmbedded: Bool

    /// Resolves the configured database, starting (or reusing) the embedded cluster when no
    /// database URL is set.
    public static func resolve(_ environment: KefuEnvironment, logger: Logger) throws -> DatabaseRuntime {
        let appURL = try environment.appDatabaseURL.map(PostgresConfiguration.init)
        let workerURL = try environment.workerDatabaseURL.map(PostgresConfiguration.init)
        if let url = environment.databaseURL {
            let owner = try PostgresConfiguration(url)
            func connection(_ direct: PostgresConfiguration?, role: String) -> RoleConnection {
                if let direct { return RoleConnection(configuration: direct, role: role, switchesFromOwner: false) }
                return RoleConnection(
                    configuration: owner,
                    role: role,
                    switchesFromOwner: true,
                    ownerConnectionAllowed: environment.allowOwnerConnection
                )
            }
            return DatabaseRuntime(
                ownerConfiguration: owner,
                app: connection(appURL, role: applicationRole),
                worker: connection(workerURL, role: workerRole),
                embedded: nil,
                startedEmbedded: false
            )
        }
        if let roleURL = appURL ?? workerURL {
            // An API or worker container with only its own role's credentials.
            return DatabaseRuntime(
                ownerConfiguration: roleURL,
                app: appURL.map { RoleConnection(configuration: $0, role: applicationRole, switchesFromOwner: false) },
                worker: workerURL.map { RoleConnection(configuration: $0, role: workerRole, switchesFromOwner: false) },
                embedded: nil,
                startedEmbedded: false
            )
        }
        let (embedded, started) = try startEmbedded(home: environment.home, logger: logger)
        try ensureDatabase(embedded)
        let owner = embedded.configuration()
        return DatabaseRuntime(
            ownerConfiguration: owner,
            app: RoleConnection(configuration: owner.with(user: applicationRole), role: applicationRole, switchesFromOwner: false),
            worker: RoleConnection(configuration: owner.with(user: workerRole), role: workerRole, switchesFromOwner: false),
            embedded: embedded,
            startedEmbedded: started
        )
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

    /// A pool on the application role (the API).
    public func makeAppPool(size: Int, logger: Logger) throws -> ConnectionPool {
        try pool(app, variable: "KEFU_APP_DATABASE_URL", role: Self.applicationRole, size: size, logger: logger)
    }

    /// A pool on the worker role (timers, surge detection, retention).
    public func makeWorkerPool(size: Int, logger: Logger) throws -> ConnectionPool {
        try pool(worker, variable: "KEFU_WORKER_DATABASE_URL", role: Self.workerRole, size: size, logger: logger)
    }

    private func pool(_ connection: RoleConnection?, variable: String, role: String, size: Int, logger: Logger) throws -> ConnectionPool {
        guard let connection else {
            throw ConfigurationError(variable: variable, reason: "is not set: the \(role) role needs its own database URL")
        }
        try connection.checkAllowed(variable: variable, logger: logger)
        let setRole = connection.switchesFromOwner ? connection.role : nil
        return ConnectionPool(
            connection.configuration,
            configuration: .init(
                maxConnections: size,
                onConnect: { session in
                    // The role name is one of the two constants above, never configuration text.
                    if let setRole { try await session.simpleQuery("SET ROLE \(setRole)") }
                }
            ),
            logger: logger
        )
    }

    /// The streaming replica for lag-tolerant reads (`KEFU_READ_DATABASE_URL`, as `kefu_app`), if
    /// the deployment has one. Nothing is checked at start: a replica that is down serves nothing
    /// and its reads go to the primary (`ReadReplica`).
    public func makeReadReplica(
        _ environment: KefuEnvironment,
        primary: ConnectionPool,
        size: Int,
        logger: Logger
    ) throws -> ReadReplica? {
        guard let url = environment.readDatabaseURL else { return nil }
        let pool = ConnectionPool(try PostgresConfiguration(url), configuration: .init(maxConnections: size), logger: logger)
        return ReadReplica(pool: pool, primary: primary, maxLag: TimeInterval(environment.readMaxLagSeconds))
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

/// How a process connects as one role: with that role's own URL, or (only when explicitly
/// allowed) with the owner's URL followed by `SET ROLE`, which the session could undo with
/// `RESET ROLE` — so owner credentials would sit in a process that answers the internet.
public struct RoleConnection: Sendable {
    public let configuration: PostgresConfiguration
    public let role: String
    /// Connects with the owner's credentials and switches role after connecting.
    public let switchesFromOwner: Bool
    /// `KEFU_ALLOW_OWNER_CONNECTION=1`: switching from the owner is accepted (and logged loudly).
    public var ownerConnectionAllowed = false

    /// Refuses owner credentials unless allowed; the error names the variable to set.
    func checkAllowed(variable: String, logger: Logger) throws {
        guard switchesFromOwner else { return }
        guard ownerConnectionAllowed else {
            throw ConfigurationError(
                variable: variable,
                reason: """
                    is not set: refusing to run with the owner's credentials from DATABASE_URL (a session could \
                    RESET ROLE and bypass row-level security). Set \(variable) to the \(role) role's URL, or \
                    KEFU_ALLOW_OWNER_CONNECTION=1 to accept the risk.
                    """
            )
        }
        logger.critical(
            """
            KEFU_ALLOW_OWNER_CONNECTION=1: connecting with the OWNER's credentials and SET ROLE \(role); \
            a session can undo this with RESET ROLE. Set \(variable) instead.
            """
        )
    }
}
