import Foundation

/// What the benchmark reads from pgbench's report.
struct PgbenchOutput: Sendable {
    /// `number of transactions actually processed: N` (one INSERT each).
    var transactions: Int
    /// `number of failed transactions: N` (0 when the line is absent, as before PostgreSQL 15).
    var failed: Int
    /// `tps = X (without initial connection time)`.
    var tps: Double

    /// Parses pgbench's summary; nil when the lines are missing.
    init?(_ output: String) {
        var transactions: Int?
        var failed = 0
        var tps: Double?
        for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let value = Self.value(after: "number of transactions actually processed:", in: line) {
                transactions = Int(value.prefix { $0 != "/" })
            } else if let value = Self.value(after: "number of failed transactions:", in: line) {
                failed = Int(value.prefix { !$0.isWhitespace }) ?? 0
            } else if line.hasSuffix("(without initial connection time)"),
                let value = Self.value(after: "tps =", in: line)
            {
                tps = Double(value.prefix { !$0.isWhitespace })
            }
        }
        guard let transactions, let tps else { return nil }
        self.transactions = transactions
        self.failed = failed
        self.tps = tps
    }

    private static func value(after prefix: String, in line: String) -> Substring? {
        guard line.hasPrefix(prefix) else { return nil }
        return line.dropFirst(prefix.count).drop { $0.isWhitespace }
    }
}
