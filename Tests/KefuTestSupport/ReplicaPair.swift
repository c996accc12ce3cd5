import Foundation
import KefuPostgres

/// A primary with a streaming standby of its own (`pg_basebackup -R`), migrated, in a temporary
/// folder: the read-replica tests need a real standby, and a copy of the shared test cluster
/// would carry every test's database. `stop()` removes both.
public final class ReplicaPair: @unchecked Sendable {
    public static let database = "kefu"
    public let primary: EmbeddedPostgres
    public let standby: EmbeddedPostgres
    let root: URL

    public init() async throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kefu-replica-\(UUID().uuidString.prefix(8))")
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        func options(_ name: String) -> EmbeddedPostgres.Options {
            .init(
                dataDirectory: root.appendingPathComponent("\(name)-data"),
                socketDirectory: root.appendingPathComponent("\(name)-run"),
                port: 5432,
                unsafeFastMode: true,
                maxConnections: 50
            )
        }
        let primary = try EmbeddedPostgres(options("primary"))
        try primary.start()
        try primary.createDatabaseIfMissing(Self.database)
        let owner = primary.configuration(database: Self.database)
        try await Migrator(owner, migrations: try Migration.load(from: TestCluster.sqlDirectory)).migrate()
        let standby = try primary.standby(options("standby"))
        try standby.start()
        self.primary = primary
        self.standby = standby
    }

    /// A connection to the primary or the standby as `user` (`postgres`: the superuser).
    public func configuration(standby onStandby: Bool, user: String = EmbeddedPostgres.superuser) -> PostgresConfiguration {
        (onStandby ? standby : primary).configuration(database: Self.database).with(user: user)
    }

    /// Waits until the standby has replayed everything the primary has written so far: up to the
    /// primary's insert position, not its write position, which lags behind a commit while that
    /// commit's WAL is still in buffers (the test clusters commit asynchronously), so that a
    /// standby could look caught up without the last commit.
    public func waitForReplay() async throws {
        let primaryConnection = try await PostgresConnection.connect(configuration(standby: false))
        let standbyConnection = try await PostgresConnection.connect(configuration(standby: true))
        defer {
            Task {
                await primaryConnection.close()
                await standbyConnection.close()
            }
        }
        let target = try await primaryConnection.queryScalar(String.self, "SELECT pg_current_wal_insert_lsn()::text") ?? ""
        for _ in 0..<200 {
            let caughtUp = try await standbyConnection.queryScalar(Bool.self, "SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn") ?? false
            if caughtUp { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ReplicaPairError.notCaughtUp
    }

    public func stop() {
        standby.stopImmediately()
        primary.stopImmediately()
        try? FileManager.default.removeItem(at: root)
    }
}

enum ReplicaPairError: Error { case notCaughtUp }
