/// Everything one `kefu-bench db` run measured, for the table and for `--json`.
struct DBBenchReport: Encodable, Sendable {
    var server: ServerFacts
    /// True when the run used its own throwaway cluster.
    var throwawayCluster: Bool
    /// False when `CHECKPOINT` between runs was refused (non-superuser `--database-url`).
    var checkpointBetweenRuns: Bool
    var pgbenchVersion: String
    var pgbenchProtocol: String
    var secondsPerRun: Int
    var rounds: Int
    var targetRatio: Double
    /// How busy the machine was just before the run (Linux only).
    var machineLoadAtStart: MachineLoad?
    var processorCount: Int
    var results: [ClientCountResult]

    /// Every client count reached the target.
    var passed: Bool { results.allSatisfy(\.ok) }

    /// The machine was already busy: the figures say little about an idle machine.
    var machineWasBusy: Bool { machineLoadAtStart?.isBusy ?? false }

    /// The lowest ratio and where it was measured.
    var weakest: ClientCountResult? { results.min { $0.ratio < $1.ratio } }
}

/// The server under test.
struct ServerFacts: Encodable, Sendable {
    var version: String
    var fsync: String
    var synchronousCommit: String
    var fullPageWrites: String

    /// Commits wait for the WAL to reach the disk.
    var isDurable: Bool { fsync == "on" && synchronousCommit != "off" }
}

/// Both sides at one client count: the median over rounds, and every round.
struct ClientCountResult: Encodable, Sendable {
    var clients: Int
    var pgbenchCommand: String
    var kefuRowsPerSecond: Double
    var pgbenchRowsPerSecond: Double
    var ratio: Double
    var ok: Bool
    /// Median client CPU microseconds per row: KefuPostgres, pgbench.
    var kefuClientCPUMicrosecondsPerRow: Double
    var pgbenchClientCPUMicrosecondsPerRow: Double
    /// Median client voluntary context switches per row: KefuPostgres, pgbench.
    var kefuClientContextSwitchesPerRow: Double
    var pgbenchClientContextSwitchesPerRow: Double
    var rounds: [Round]

    struct Round: Encodable, Sendable {
        var kefuRanFirst: Bool
        var kefu: SideRun
        var pgbench: SideRun
    }

    init(clients: Int, pgbenchCommand: String, rounds: [Round], targetRatio: Double) {
        self.clients = clients
        self.pgbenchCommand = pgbenchCommand
        self.rounds = rounds
        kefuRowsPerSecond = Self.median(rounds.map(\.kefu.rowsPerSecond))
        pgbenchRowsPerSecond = Self.median(rounds.map(\.pgbench.rowsPerSecond))
        ratio = pgbenchRowsPerSecond > 0 ? kefuRowsPerSecond / pgbenchRowsPerSecond : 0
        ok = ratio >= targetRatio
        kefuClientCPUMicrosecondsPerRow = Self.median(rounds.map(\.kefu.clientCPUMicrosecondsPerRow))
        pgbenchClientCPUMicrosecondsPerRow = Self.median(rounds.map(\.pgbench.clientCPUMicrosecondsPerRow))
        kefuClientContextSwitchesPerRow = Self.median(rounds.map(\.kefu.clientContextSwitchesPerRow))
        pgbenchClientContextSwitchesPerRow = Self.median(rounds.map(\.pgbench.clientContextSwitchesPerRow))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension DBBenchReport {
    /// One line for people: did KefuPostgres keep up with pgbench everywhere?
    var verdict: String {
        guard let weakest else { return "no measurements" }
        let lowest = "lowest ratio \(Format.ratio(weakest.ratio)) at \(weakest.clients) client\(weakest.clients == 1 ? "" : "s")"
        let target = "\(Int((targetRatio * 100).rounded())) % of pgbench"
        if passed {
            return "PASS: KefuPostgres reaches at least \(target) at every client count (\(lowest))"
        }
        let missed = results.filter { !$0.ok }.map { String($0.clients) }.joined(separator: ", ")
        return "FAIL: KefuPostgres is below \(target) at \(missed) client(s) (\(lowest))"
    }
}
