import Foundation
import KefuPostgres

/// One throwaway PostgreSQL cluster per test process, with a migrated template database that
/// each test clones, so tests are isolated and can run in parallel.
///
/// With `DATABASE_URL` set, that server (a superuser connection) is used instead of a private cluster.
public actor TestCluster {
    public static let shared = TestCluster()
    /// A private cluster of its own with `pg_stat_statements` loaded, for tests that read the
    /// statements the application sent (`RouterQueryTests`); never the `DATABASE_URL` server.
    public static let statementStatistics = TestCluster(preloading: "pg_stat_statements")

    /// A library for `shared_preload_libraries` (needs a private cluster, restarted once).
    private let preloadLibrary: String?

    init(preloading library: String? = nil) {
        preloadLibrary = library
    }

    private var admin: PostgresConfiguration?
    private var embedded: EmbeddedPostgres?
    private var root: URL?
    static let templateName = "kefu_test_template"

    /// The repository's `sql/` directory.
    public static let sqlDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql")

    /// The first caller's start-up, which concurrent callers wait for (the actor is reentrant
    /// across the start-up's awaits: without this each of them started a cluster of its own,
    /// and only the last was stopped at exit).
    private var starting: Task<PostgresConfiguration, any Error>?

    /// A superuser connection to the cluster's `postgres` database, starting the cluster on first use.
    public func adminConfiguration() async throws -> PostgresConfiguration {
        if let admin { return admin }
        if let starting { return try await starting.value }
        let task = Task { try await self.start() }
        starting = task
        do {
            let configuration = try await task.value
            admin = configuration
            return configuration
        } catch {
            starting = nil
            throw error
        }
    }

    private func start() async throws -> PostgresConfiguration {
        let configuration: PostgresConfiguration
        if preloadLibrary == nil, let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            configuration = try PostgresConfiguration(url).with(database: "postgres")
        } else {
            let root = URL(fileURLWithPath: NSTemporaryDirectory())
                .appendingPathComponent("kefu-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
            let embedded = try EmbeddedPostgres(
                .init(
                    dataDirectory: root.appendingPathComponent("data"),
                    socketDirectory: root.appendingPathComponent("run"),
                    port: 5432,
                    unsafeFastMode: true,
                    maxConnections: 300
                )
            )
            try embedded.start()
            if let preloadLibrary {
                let connection = try await PostgresConnection.connect(embedded.configuration(database: "postgres"))
                try await connection.simpleQuery("ALTER SYSTEM SET shared_preload_libraries = '\(preloadLibrary)'")
                await connection.close()
                try embedded.stop()
                try embedded.start()
            }
            self.embedded = embedded
            self.root = root
            TestClusterCleanup.register(embedded: embedded, root: root)
            configuration = embedded.configuration(database: "postgres")
        }
        try await createTemplate(configuration)
        return configuration
    }

    private func createTemplate(_ admin: PostgresConfiguration) async throws {
        let connection = try await PostgresConnection.connect(admin)
        try await connection.simpleQuery("DROP DATABASE IF EXISTS \(Self.templateName) WITH (FORCE)")
        try await connection.simpleQuery("CREATE DATABASE \(Self.templateName)")
        await connection.close()
        let migrations = try Migration.load(from: Self.sqlDirectory)
        try await Migrator(admin.with(database: Self.templateName), migrations: migrations).migrate()
    }

    /// A new database cloned from the migrated template (or empty when `migrated` is false).
    public func makeDatabase(migrated: Bool = true) async throws -> TestDatabase {
        let admin = try await adminConfiguration()
        let name = "kefu_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let connection = try await PostgresConnection.connect(admin)
        defer { Task { await connection.close() } }
        // The name is generated above, never user input; CREATE DATABASE takes no parameters.
        if migrated {
            try await connection.simpleQuery("CREATE DATABASE \(name) TEMPLATE \(Self.templateName) STRATEGY FILE_COPY")
        } else {
            try await connection.simpleQuery("CREATE DATABASE \(name)")
        }
        return TestDatabase(name: name, admin: admin)
    }
}

/// A database of its own for one test. Call `drop()` when done.
public struct TestDatabase: Sendable {
    public let name: String
    let admin: PostgresConfiguration

    /// The owner (superuser) connection: migrations, the admin CLI, inspection.
    public var ownerConfiguration: PostgresConfiguration { admin.with(database: name) }

    /// The application role's connection, as the API connects (row-level security applies).
    public var appConfiguration: PostgresConfiguration {
        ownerConfiguration.with(user: "kefu_app")
    }

    /// The worker role's connection, as the worker connects (row-level security applies; the
    /// cross-tenant worker functions are executable).
    public var workerConfiguration: PostgresConfiguration {
        ownerConfiguration.with(user: "kefu_worker")
    }

    public func drop() async {
        guard let connection = try? await PostgresConnection.connect(admin) else { return }
        try? await connection.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await connection.close()
    }
}

/// Stops the private cluster and deletes its files when the test process exits.
enum TestClusterCleanup {
    nonisolated(unsafe) private static var clusters: [(EmbeddedPostgres, URL)] = []
    private static let lock = NSLock()

    /// Stops `embedded` and deletes `root` when the process exits (every registered cluster).
    static func register(embedded: EmbeddedPostgres, root: URL) {
        let first = lock.withLock { () -> Bool in
            clusters.append((embedded, root))
            return clusters.count == 1
        }
        guard first else { return }
        atexit {
            for (embedded, root) in TestClusterCleanup.lock.withLock({ TestClusterCleanup.clusters }) {
                embedded.stopImmediately()
                try? FileManager.default.removeItem(at: root)
            }
        }
    }
}
