import Foundation

/// The options of `kefu-bench db`.
struct DBBenchOptions: Sendable {
    /// How long each measured run lasts, per side and client count (pgbench `-T`, so whole seconds).
    var seconds = 5
    /// The concurrent client counts to measure, in order.
    var clients = [1, 4, 16]
    /// Runs per side and client count; the table shows the median. Sides alternate which goes
    /// first from round to round, so neither always runs on a warmer (or busier) machine.
    var rounds = 3
    /// A server to measure instead of a throwaway cluster (a superuser connection is best:
    /// `CHECKPOINT` between runs needs it).
    var databaseURL: String?
    /// Print JSON for scripts instead of the table.
    var json = false
    var showHelp = false

    /// The share of pgbench's rate KefuPostgres must reach at every client count.
    static let targetRatio = 0.80

    static let usage = """
        usage: kefu-bench db [--seconds N] [--clients 1,4,16] [--rounds N] [--database-url URL] [--json]

        Single-row INSERTs of a ticket-shaped row through KefuPostgres (a ConnectionPool, one task per
        client) and through pgbench (-M extended) against the same cluster, side by side, as a ratio.
        Target: KefuPostgres at >= 80 % of pgbench at every client count. Exit status 0 when met,
        1 when missed, 2 on error.

          --seconds N          length of each measured run, per side (default 5)
          --clients LIST       comma-separated concurrent client counts (default 1,4,16)
          --rounds N           runs per side and client count; the median is reported (default 3)
          --database-url URL   measure this server (postgres:// URL or conninfo) instead of a
                               throwaway durable cluster; DATABASE_URL is deliberately not read
          --json               print JSON instead of the table
          -h, --help           show this help
        """

    /// Parses `--flag value` and `--flag=value` forms.
    static func parse(_ arguments: [String]) throws -> DBBenchOptions {
        var options = DBBenchOptions()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            let (flag, inlineValue) = split(argument)
            func value() throws -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--seconds":
                options.seconds = try positiveInteger(try value(), flag: flag)
            case "--clients":
                options.clients = try value().split(separator: ",").map {
                    try positiveInteger(String($0).trimmingCharacters(in: .whitespaces), flag: flag)
                }
                if options.clients.isEmpty { throw BenchError.usage("--clients needs at least one count") }
            case "--rounds":
                options.rounds = try positiveInteger(try value(), flag: flag)
            case "--database-url":
                options.databaseURL = try value()
            case "--json":
                options.json = true
            case "-h", "--help":
                options.showHelp = true
            default:
                throw BenchError.usage("unknown option '\(argument)'")
            }
        }
        return options
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func positiveInteger(_ text: String, flag: String) throws -> Int {
        guard let number = Int(text), number > 0 else {
            throw BenchError.usage("\(flag) takes a positive whole number, not '\(text)'")
        }
        return number
    }
}
