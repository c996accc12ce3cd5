import Foundation
import Logging

/// A private PostgreSQL cluster run from the machine's installed server binaries, on a unix
/// socket only, used when no `DATABASE_URL` is configured (like embedded-postgres elsewhere).
///
/// When the process runs as root the server runs as the `postgres` OS user (PostgreSQL refuses
/// root), with the data and socket directories owned by that user.
public struct EmbeddedPostgres: Sendable {
    public struct Options: Sendable {
        /// The cluster's data directory.
        public var dataDirectory: URL
        /// Where the server's unix socket lives (kept short: socket paths are limited to 107 bytes).
        public var socketDirectory: URL
        public var port: Int
        /// fsync and full-page writes off: fast, and fine for throwaway test clusters only.
        public var unsafeFastMode: Bool
        public var maxConnections: Int

        public init(
            dataDirectory: URL,
            socketDirectory: URL? = nil,
            port: Int = 5432,
            unsafeFastMode: Bool = false,
            maxConnections: Int = 200
        ) {
            self.dataDirectory = dataDirectory
            self.socketDirectory = socketDirectory ?? EmbeddedPostgres.defaultSocketDirectory(for: dataDirectory)
            self.port = port
            self.unsafeFastMode = unsafeFastMode
            self.maxConnections = maxConnections
        }
    }

    public let options: Options
    public let binDirectory: URL
    let logger: Logger

    /// The superuser created by initdb.
    public static let superuser = "postgres"
    /// The database Kefu uses inside the embedded cluster.
    public static let defaultDatabase = "kefu"

    public init(_ options: Options, logger: Logger = Logger(label: "kefu.embedded-postgres")) throws {
        self.options = options
        self.binDirectory = try Self.locateBinaries()
        self.logger = logger
    }

    /// A superuser connection to `database` in this cluster.
    public func configuration(database: String = EmbeddedPostgres.defaultDatabase) -> PostgresConfiguration {
        PostgresConfiguration(parameters: [
            "host": options.socketDirectory.path,
            "port": String(options.port),
            "user": Self.superuser,
            "dbname": database,
        ])
    }

    /// Finds `initdb`/`pg_ctl`: `pg_config --bindir` first, then the newest `/usr/lib/postgresql/*/bin`.
    public static func locateBinaries() throws -> URL {
        let fileManager = FileManager.default
        if let bindir = try? run("/usr/bin/env", ["pg_config", "--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines),
            fileManager.isExecutableFile(atPath: bindir + "/initdb")
        {
            return URL(fileURLWithPath: bindir)
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions where fileManager.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        throw EmbeddedPostgresError.binariesMissing
    }

    static func defaultSocketDirectory(for dataDirectory: URL) -> URL {
        let candidate = dataDirectory.deletingLastPathComponent().appendingPathComponent("run")
        if candidate.path.utf8.count <= 80 { return candidate }
        let digest = SHA256.hex(Array(dataDirectory.path.utf8)).prefix(12)
        return URL(fileURLWithPath: "/tmp/kefu-\(digest)")
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Whether the server is running from this data directory.
    public func isRunning() -> Bool {
        (try? runServerTool("pg_ctl", ["status", "-D", options.dataDirectory.path])) != nil
    }

    /// Creates the cluster if needed and starts it unless it is already running.
    /// Returns true when this call started the server (so the caller should stop it).
    @discardableResult
    public func start() throws -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: options.dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["data": "\(options.dataDirectory.path)"])
            try runServerTool(
                "initdb",
                [
                    "-D", options.dataDirectory.path, "-A", "trust", "-U", Self.superuser,
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                ]
            )
            try writeSettings()
        }
        if isRunning() { return false }
        let logFile = options.dataDirectory.appendingPathComponent("server.log")
        try runServerTool("pg_ctl", ["-D", options.dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"])
        logger.info("embedded PostgreSQL started", metadata: ["socket": "\(options.socketDirectory.path)"])
        return true
    }

    /// Stops the server (fast shutdown: active sessions are rolled back, data is safe).
    public func stop() throws {
        guard isRunning() else { return }
        try runServerTool("pg_ctl", ["-D", options.dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    /// Stops the server without a checkpoint (test clusters that are deleted afterwards).
    public func stopImmediately() {
        _ = try? runServerTool("pg_ctl", ["-D", options.dataDirectory.path, "-m", "immediate", "-w", "stop"])
    }

    /// Makes `options`' (empty) data directory a streaming standby of this running server with
    /// `pg_basebackup -R` (WAL streamed, a fast checkpoint; the copy follows the primary through
    /// `primary_conninfo` on this server's socket), listening where `options` says. Returns it not
    /// yet started. Needs this server to allow local replication connections, as `initdb -A trust`
    /// sets up; the read-replica tests use it.
    public func standby(_ options: Options) throws -> EmbeddedPostgres {
        let standby = try EmbeddedPostgres(options, logger: logger)
        try standby.prepareDirectories()
        try runServerTool(
            "pg_basebackup",
            [
                "-D", options.dataDirectory.path, "-R", "-X", "stream", "-c", "fast", "--no-sync",
                "-h", self.options.socketDirectory.path, "-p", String(self.options.port), "-U", Self.superuser,
            ]
        )
        try standby.writeSettings()
        return standby
    }

    /// Creates a database (a plain identifier: lowercase letters, digits, `_`) if it does not exist.
    public func createDatabaseIfMissing(_ name: String) throws {
        guard PostgresListener.isValidChannel(name) else {
            throw EmbeddedPostgresError.commandFailed(command: "createdb", status: 1, output: "invalid database name '\(name)'")
        }
        let connection = ["-h", options.socketDirectory.path, "-p", String(options.port), "-U", Self.superuser]
        let exists = try runServerTool(
            "psql",
            connection + [
                "-d", "postgres", "-tAc",
                "SELECT 1 FROM pg_database WHERE datname = '\(name)'",
            ]
        )
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try runServerTool("createdb", connection + [name])
        }
    }

    private func prepareDirectories() throws {
        let fileManager = FileManager.default
        for directory in [options.dataDirectory, options.socketDirectory] {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        // Both private to the user the server runs as: the cluster trusts every local connection,
        // so reaching its socket must take that user's (or root's) rights.
        for directory in [options.dataDirectory, options.socketDirectory] {
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        }
        if Self.isRoot {
            try Self.run("/bin/chown", ["-R", "\(Self.superuser):\(Self.superuser)", options.dataDirectory.path, options.socketDirectory.path])
            do {
                try Self.run("/sbin/runuser", ["-u", Self.superuser, "--", "test", "-w", options.dataDirectory.path])
            } catch {
                throw EmbeddedPostgresError.notAccessible(options.dataDirectory.path)
            }
        }
    }

    private func writeSettings() throws {
        func quoted(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        var settings = """

            # Kefu embedded cluster
            listen_addresses = ''
            unix_socket_directories = \(quoted(options.socketDirectory.path))
            port = \(options.port)
            max_connections = \(options.maxConnections)
            shared_buffers = 128MB
            """
        if options.unsafeFastMode {
            settings += "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        }
        let file = options.dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((settings + "\n").utf8))
    }

    /// Runs a server binary, as the `postgres` user when we are root.
    @discardableResult
    private func runServerTool(_ tool: String, _ arguments: [String]) throws -> String {
        let path = binDirectory.appendingPathComponent(tool).path
        if Self.isRoot {
            return try Self.run("/sbin/runuser", ["-u", Self.superuser, "--", path] + arguments)
        }
        return try Self.run(path, arguments)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        do {
            return try ChildProcess.run(executable, arguments)
        } catch let failure as ChildProcess.Failure {
            throw EmbeddedPostgresError.commandFailed(
                command: ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " "),
                status: failure.status,
                output: failure.output
            )
        }
    }
}

public enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case binariesMissing
    case notAccessible(String)
    case commandFailed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .binariesMissing:
            "PostgreSQL server binaries not found (no pg_config --bindir, nothing in /usr/lib/postgresql/*/bin). "
                + "Install the Debian packages 'postgresql' and 'libpq-dev', or set DATABASE_URL."
        case .notAccessible(let path):
            "the postgres OS user cannot write \(path) (a parent directory is not traversable); "
                + "set KEFU_HOME to a directory it can reach, e.g. /var/tmp/kefu"
        case .commandFailed(let command, let status, let output):
            "'\(command)' failed with status \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}
