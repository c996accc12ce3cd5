import Foundation

/// `kefu-bench`: the figures the project promises, measured next to their references.
///
/// One subcommand today: `db`, single-row ticket INSERTs through KefuPostgres side by side with
/// `pgbench` against the same cluster in the same run.
@main
enum KefuBench {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let command = arguments.first else {
            fail(BenchError.usage("missing subcommand"))
        }
        arguments.removeFirst()
        switch command {
        case "db":
            do {
                let options = try DBBenchOptions.parse(arguments)
                if options.showHelp {
                    print(DBBenchOptions.usage)
                    return
                }
                let report = try await DBBenchmark(options: options).run()
                try ReportPrinter.print(report, json: options.json)
                exit(report.passed ? 0 : 1)
            } catch {
                fail(error)
            }
        case "-h", "--help", "help":
            print(DBBenchOptions.usage)
        default:
            fail(BenchError.usage("unknown subcommand '\(command)'"))
        }
    }

    /// Prints the error (and the usage for usage errors) to stderr and exits with status 2.
    private static func fail(_ error: any Error) -> Never {
        var text = "kefu-bench: \(error)\n"
        if case BenchError.usage = error { text += "\n" + DBBenchOptions.usage + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
        exit(2)
    }
}
