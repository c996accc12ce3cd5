import Foundation
import KefuPostgres
import Logging

/// The PostgreSQL server both sides measure: the one named by `--database-url`, or a throwaway
/// durable cluster started from the installed server binaries and deleted afterwards.
final class BenchServer: @unchecked Sendable {
    /// A connection to the database the benchmark table lives in.
    let configuration: PostgresConfiguration
    /// Where `pgbench` and the other client tools live.
    let binDirectory: URL
    /// A private scratch directory (pgbench's script; the cluster itself when embedded).
    let workDirectory: URL
    private let embedded: EmbeddedPostgres?
    private let lock = NSLock()
    private var closed = false

    private init(configuration: PostgresConfiguration, binDirectory: URL, workDirectory: URL, embedded: EmbeddedPostgres?) {
        self.configuration = configuration
        self.binDirectory = binDirectory
        self.workDirectory = workDirectory
        self.embedded = embedded
    }

    /// Connects to `databaseURL`, or creates and starts a throwaway cluster when it is nil.
    ///
    /// The throwaway cluster keeps PostgreSQL's durable defaults (`fsync`, `synchronous_commit`,
    /// `full_page_writes` all on): every commit is flushed, as it is for pgbench.
    static func start(databaseURL: String?, logger: Logger) throws -> BenchServer {
        let workDirectory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("kefu-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        // mktemp-style folders are private; the postgres OS user must be able to traverse this one.
        try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: workDirectory.path)
        do {
            let binDirectory = try EmbeddedPostgres.locateBinaries()
            if let databaseURL {
                return BenchServer(
                    configuration: try PostgresConfiguration(databaseURL),
                    binDirectory: binDirectory,
                    workDirectory: workDirectory,
                    embedded: nil
                )
            }
            let embedded = try EmbeddedPostgres(
                .init(
                    dataDirectory: workDirectory.appendingPathComponent("data"),
                    socketDirectory: workDirectory.appendingPathComponent("run"),
                    unsafeFastMode: false
                ),
                logger: logger
            )
            try embedded.start()
            return BenchServer(
                configuration: embedded.configuration(database: "postgres"),
                binDirectory: embedded.binDirectory,
                workDirectory: workDirectory,
                embedded: embedded
            )
        } catch {
            try? fileManager.removeItem(at: workDirectory)
            throw error
        }
    }

    /// Stops the throwaway cluster (if any) and deletes the scratch directory. Safe to call twice,
    /// and from a signal handler's queue.
    func close() {
        let first = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        // Immediate: the cluster is deleted next, so there is nothing worth a shutdown checkpoint.
        embedded?.stopImmediately()
        try? FileManager.default.removeItem(at: workDirectory)
    }
}
