/// Why a benchmark run stopped. Exit status 2, as distinct from 1 (ran, but missed the target).
enum BenchError: Error, CustomStringConvertible {
    /// The command line could not be understood.
    case usage(String)
    /// pgbench exited with an error.
    case pgbenchFailed(status: Int32, output: String)
    /// pgbench ran but its output had no result line we understand.
    case pgbenchOutputUnreadable(String)
    /// The table holds a different number of rows than the side reported inserting.
    case rowCountMismatch(side: String, reported: Int, inTable: Int)
    /// A connection setting that pgbench cannot be given through the libpq environment.
    case unsupportedConnectionParameter(String)

    var description: String {
        switch self {
        case .usage(let message):
            "usage: \(message)"
        case .pgbenchFailed(let status, let output):
            "pgbench failed with status \(status):\n\(output)"
        case .pgbenchOutputUnreadable(let output):
            "no 'tps = … (without initial connection time)' line in pgbench's output:\n\(output)"
        case .rowCountMismatch(let side, let reported, let inTable):
            "\(side) reported \(reported) inserts but the table holds \(inTable) rows"
        case .unsupportedConnectionParameter(let key):
            "connection parameter '\(key)' has no libpq environment variable to hand to pgbench"
        }
    }
}
