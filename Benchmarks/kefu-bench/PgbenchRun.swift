import Foundation
import KefuPostgres

/// The reference side: `pgbench` running `PgbenchScript` against the same server.
///
/// `-M extended` is the fair match for KefuPostgres, which sends every statement with
/// `PQexecParams`: an unnamed Parse, Bind, Describe, Execute and Sync each time, so the server
/// parses and plans every INSERT. `-M prepared` would plan once per connection (an advantage
/// KefuPostgres does not take); `-M simple` would inline the values and bind nothing.
struct PgbenchRun {
    static let protocolMode = "extended"

    var executable: URL
    var script: URL
    var environment: [String: String]
    var clients: Int
    var seconds: Int

    /// pgbench's worker threads: one per client, at most two (the machines this runs on have two cores).
    var threads: Int { min(clients, 2) }

    /// The arguments, without the connection (that travels in `environment`).
    var arguments: [String] {
        [
            "-n", "-M", Self.protocolMode, "-c", String(clients), "-j", String(threads),
            "-T", String(seconds), "-f", script.path,
        ]
    }

    /// The command line as shown in the report.
    var commandLine: String { (["pgbench"] + arguments.map { $0 == script.path ? "insert-ticket.sql" : $0 }).joined(separator: " ") }

    func run() async throws -> SideRun {
        let outcome = try await ChildCommand.run(executable, arguments, environment: environment)
        guard outcome.status == 0 else { throw BenchError.pgbenchFailed(status: outcome.status, output: outcome.output) }
        guard let result = PgbenchOutput(outcome.output) else { throw BenchError.pgbenchOutputUnreadable(outcome.output) }
        guard result.failed == 0 else { throw BenchError.pgbenchFailed(status: 0, output: outcome.output) }
        return SideRun(rows: result.transactions, rowsPerSecond: result.tps, clientCost: outcome.cost)
    }

    /// `pgbench (PostgreSQL) 15.18 …`, for the report.
    static func version(_ executable: URL) async -> String {
        let outcome = try? await ChildCommand.run(executable, ["--version"], environment: ProcessInfo.processInfo.environment)
        return outcome?.output.trimmingCharacters(in: .whitespacesAndNewlines) ?? "pgbench"
    }
}
