import Foundation
import Logging

/// One `sql/NNN_name.sql` file.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    /// SHA-256 of the file's bytes.
    public var checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hex(Array(sql.utf8))
    }

    /// Reads every `NNN_name.sql` in `directory`, ordered by number; duplicate numbers are an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.directoryUnreadable(directory.path)
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = String(file.dropLast(4))
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        return migrations
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case directoryUnreadable(String)
    case badFileName(String)
    case duplicateVersion(Int)
    case checksumMismatch(version: Int, name: String)
    case unknownAppliedVersion(Int)

    public var description: String {
        switch self {
        case .directoryUnreadable(let path): "cannot read migrations directory \(path) (set KEFU_SQL_DIR)"
        case .badFileName(let file): "migration file '\(file)' must be named NNN_name.sql"
        case .duplicateVersion(let version): "two migration files share the number \(version)"
        case .checksumMismatch(let version, let name):
            "migration \(version)_\(name).sql was edited after it was applied; add a new migration instead"
        case .unknownAppliedVersion(let version):
            "the database has migration \(version) applied, which this build does not have (is it newer?)"
        }
    }
}

/// Where a migration stands in a database.
public struct MigrationStatus: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var appliedAt: Date?
    public var isApplied: Bool { appliedAt != nil }
}

/// Applies migrations in order, each in its own transaction, under an advisory lock so concurrent
/// runs apply each file once; records version and checksum in `schema_migrations` and refuses to
/// run when an applied file has been edited.
public struct Migrator: Sendable {
    /// An arbitrary constant: the advisory lock key guarding migrations ("kefu" in ASCII).
    static let lockKey: Int64 = 0x6b65_6675
    public let configuration: PostgresConfiguration
    public let migrations: [Migration]
    let logger: Logger

    public init(_ configuration: PostgresConfiguration, migrations: [Migration], logger: Logger = Logger(label: "kefu.migrate")) {
        self.configuration = configuration
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies pending migrations; returns the ones applied by this call.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await withLockedConnection { connection in
            let applied = try await appliedChecksums(connection)
            try verify(applied)
            var done: [Migration] = []
            for migration in migrations where applied[migration.version] == nil {
                let started = ContinuousClock.now
                try await connection.transaction { tx in
                    try await tx.simpleQuery(migration.sql)
                    let elapsed = started.duration(to: .now)
                    let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                    try await tx.execute(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, execution_ms)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(milliseconds))
                        """
                    )
                }
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration)
            }
            try await ensurePartitions(connection)
            return done
        }
    }

    /// Every known migration with its applied time (nil: pending).
    public func status() async throws -> [MigrationStatus] {
        try await withLockedConnection { connection in
            let rows = try await connection.query("SELECT version, applied_at FROM schema_migrations")
            var appliedAt: [Int: Date] = [:]
            for row in rows { appliedAt[try row.decode(Int.self, "version")] = try row.decode(Date.self, "applied_at") }
            return migrations.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: appliedAt[$0.version]) }
        }
    }

    private func verify(_ applied: [Int: String]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, checksum) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else { throw MigrationError.unknownAppliedVersion(version) }
            guard migration.checksum == checksum else {
                throw MigrationError.checksumMismatch(version: version, name: migration.name)
            }
        }
    }

    /// Partitioned tables (sql/041) get their monthly partitions made ahead: the current month and
    /// the next eleven, so a deployment that migrates only when it upgrades still has a year before
    /// rows would fall into DEFAULT. Runs on every `kefu migrate`, also when none was pending.
    private func ensurePartitions(_ connection: PostgresConnection) async throws {
        let exists = try await connection.query(
            "SELECT 1 FROM pg_proc WHERE proname = 'kefu_ensure_partitions' AND pronamespace = 'public'::regnamespace"
        )
        guard !exists.isEmpty else { return }
        let made = try await connection.query("SELECT kefu_ensure_partitions(now() + interval '11 months') AS made")
        if let count = try made.first?.decode(Int.self, "made"), count > 0 {
            logger.info("created partitions", metadata: ["count": "\(count)"])
        }
    }

    private func appliedChecksums(_ connection: PostgresConnection) async throws -> [Int: String] {
        var applied: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
            applied[try row.decode(Int.self, "version")] = try row.decode(String.self, "checksum")
        }
        return applied
    }

    private func withLockedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        do {
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            try await connection.simpleQuery(
                """
                SET client_min_messages = warning;
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version      integer PRIMARY KEY,
                    name         text NOT NULL,
                    checksum     text NOT NULL,
                    applied_at   timestamptz NOT NULL DEFAULT now(),
                    execution_ms integer NOT NULL DEFAULT 0
                );
                REVOKE ALL ON schema_migrations FROM PUBLIC;
                """
            )
            let value = try await body(connection)
            try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }
}
