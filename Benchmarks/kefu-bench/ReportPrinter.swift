import Foundation

/// Prints a `DBBenchReport`: an aligned table and a verdict for people, or JSON for scripts.
enum ReportPrinter {
    static func print(_ report: DBBenchReport, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(JSONReport(report: report)), as: UTF8.self))
        } else {
            Swift.print(text(report))
        }
    }

    /// The human-readable report.
    static func text(_ report: DBBenchReport) -> String {
        let server = report.server
        var lines: [String] = [
            "Kefu DB insert benchmark: single-row INSERT of a ticket row, KefuPostgres vs pgbench, same cluster, same run",
            "server:  PostgreSQL \(server.version)\(report.throwawayCluster ? " (throwaway cluster)" : ""), "
                + "fsync=\(server.fsync), synchronous_commit=\(server.synchronousCommit), "
                + "full_page_writes=\(server.fullPageWrites)\(server.isDurable ? " (durable commits)" : " (NOT durable)")",
            "pgbench: \(report.pgbenchVersion), -M \(report.pgbenchProtocol) (unnamed Parse/Bind/Execute per INSERT, "
                + "as KefuPostgres's PQexecParams)",
            "runs:    \(report.secondsPerRun) s per side, "
                + (report.rounds == 1 ? "1 round" : "\(report.rounds) rounds alternating which side goes first, median shown")
                + "; table truncated"
                + (report.checkpointBetweenRuns ? " and checkpointed" : "") + " before every run"
                + (report.machineLoadAtStart.map {
                    "; before the run the \(report.processorCount) cores were \(Int(($0.cpuBusy * 100).rounded())) % busy "
                        + "(load average \(Format.ratio($0.loadAverage)))"
                } ?? ""),
        ]
        if report.machineWasBusy {
            lines.append(
                "warning: the machine was already busy; other work competes with both sides and with the server, "
                    + "so these figures say little about an idle machine"
            )
        }
        lines.append("")
        let headers = ["clients", "kefu rows/s", "pgbench rows/s", "ratio", "target", "ok?"]
        let target = "≥ " + Format.ratio(report.targetRatio)
        let rows = report.results.map { result in
            [
                String(result.clients), Format.rate(result.kefuRowsPerSecond), Format.rate(result.pgbenchRowsPerSecond),
                Format.ratio(result.ratio), target, result.ok ? "yes" : "NO",
            ]
        }
        lines += table(headers, rows)
        lines += ["", "client cost per row (median), KefuPostgres vs pgbench: the client shares the cores with the server"]
        lines += table(
            ["clients", "kefu CPU µs", "pgbench CPU µs", "kefu ctx switches", "pgbench ctx switches"],
            report.results.map { result in
                [
                    String(result.clients), Format.rate(result.kefuClientCPUMicrosecondsPerRow),
                    Format.rate(result.pgbenchClientCPUMicrosecondsPerRow), Format.rate(result.kefuClientContextSwitchesPerRow),
                    Format.rate(result.pgbenchClientContextSwitchesPerRow),
                ]
            }
        )
        lines += ["", "verdict: \(report.verdict)"]
        return lines.joined(separator: "\n")
    }

    /// Right-aligned columns separated by ` | `.
    private static func table(_ headers: [String], _ rows: [[String]]) -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: " | ")
        }
        return [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-")]
            + rows.map(line)
    }
}

/// The report's fields plus `passed`, `verdict` and `machine_was_busy`, flat, for `--json`.
private struct JSONReport: Encodable {
    var report: DBBenchReport

    private enum Keys: String, CodingKey {
        case passed, verdict, machineWasBusy
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.passed, forKey: .passed)
        try container.encode(report.verdict, forKey: .verdict)
        try container.encode(report.machineWasBusy, forKey: .machineWasBusy)
    }
}
