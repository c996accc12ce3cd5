import Foundation
import KefuPostgres
import Logging

/// `kefu-bench db`: for each client count, the KefuPostgres side and pgbench in turn against
/// the same server, `rounds` times, on an emptied table each time.
struct DBBenchmark {
    /// The two sides compared.
    enum Side: String {
        case kefu = "KefuPostgres"
        case pgbench
    }

    var options: DBBenchOptions
    var logger: Logger = {
        var logger = Logger(label: "kefu.bench")
        logger.logLevel = .warning
        return logger
    }()

    func run() async throws -> DBBenchReport {
        let load = await MachineLoad.sample()
        progress(options.databaseURL == nil ? "starting a throwaway durable PostgreSQL cluster" : "connecting")
        let server = try BenchServer.start(databaseURL: options.databaseURL, logger: logger)
        InterruptCleanup.install { server.close() }
        defer { server.close() }

        let table = BenchTable(configuration: server.configuration)
        try await table.create()
        do {
            let report = try await measure(server, table, load: load)
            try await table.drop()
            return report
        } catch {
            try? await table.drop()
            throw error
        }
    }

    private func measure(_ server: BenchServer, _ table: BenchTable, load: MachineLoad?) async throws -> DBBenchReport {
        let pgbench = server.binDirectory.appendingPathComponent("pgbench")
        let script = try PgbenchScript.write(in: server.workDirectory)
        let environment = try PgbenchEnvironment.environment(for: server.configuration)
        var checkpointed = true
        var results: [ClientCountResult] = []
        for clients in options.clients {
            let reference = PgbenchRun(
                executable: pgbench,
                script: script,
                environment: environment,
                clients: clients,
                seconds: options.seconds
            )
            let kefu = KefuInsertRun(
                configuration: server.configuration,
                clients: clients,
                duration: .seconds(options.seconds),
                logger: logger
            )
            var rounds: [ClientCountResult.Round] = []
            for round in 0..<options.rounds {
                let kefuFirst = round % 2 == 0
                var runs: [Side: SideRun] = [:]
                for side in kefuFirst ? [Side.kefu, .pgbench] : [.pgbench, .kefu] {
                    checkpointed = try await table.reset() && checkpointed
                    progress("\(clients) client\(clients == 1 ? "" : "s"), round \(round + 1)/\(options.rounds): \(side.rawValue)")
                    let result =
                        switch side {
                        case .kefu: try await kefu.run()
                        case .pgbench: try await reference.run()
                        }
                    try await verify(result, side: side, table: table)
                    runs[side] = result
                }
                rounds.append(.init(kefuRanFirst: kefuFirst, kefu: runs[.kefu]!, pgbench: runs[.pgbench]!))
            }
            results.append(
                ClientCountResult(
                    clients: clients,
                    pgbenchCommand: reference.commandLine,
                    rounds: rounds,
                    targetRatio: DBBenchOptions.targetRatio
                )
            )
        }
        return DBBenchReport(
            server: try await table.serverFacts(),
            throwawayCluster: options.databaseURL == nil,
            checkpointBetweenRuns: checkpointed,
            pgbenchVersion: await PgbenchRun.version(pgbench),
            pgbenchProtocol: PgbenchRun.protocolMode,
            secondsPerRun: options.seconds,
            rounds: options.rounds,
            targetRatio: DBBenchOptions.targetRatio,
            machineLoadAtStart: load,
            processorCount: ProcessInfo.processInfo.activeProcessorCount,
            results: results
        )
    }

    /// Each side's own count must match what the table holds: every counted insert committed.
    private func verify(_ run: SideRun, side: Side, table: BenchTable) async throws {
        let inTable = try await table.rowCount()
        guard inTable == run.rows else {
            throw BenchError.rowCountMismatch(side: side.rawValue, reported: run.rows, inTable: inTable)
        }
    }

    /// Progress goes to stderr so that `--json` output stays clean.
    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("kefu-bench: \(message)\n".utf8))
    }
}
