extension TicketLifecycle {
    /// `next` as a Markdown table: one row per action, one column per status; a cell is the
    /// status the action leads to, `=` when it keeps the status, `409` when it is a conflict.
    /// `docs/ARCHITECTURE.md` prints it; a test keeps the two equal.
    public static func markdownTable() -> String {
        let statuses = TicketStatus.allCases
        var lines = [
            "| action | " + statuses.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: statuses.count),
        ]
        for action in Action.allCases where action != .create {
            let cells = statuses.map { status -> String in
                guard let next = try? next(from: status, on: action) else { return "409" }
                return next == status ? "=" : "`\(next.rawValue)`"
            }
            lines.append("| `\(action.rawValue)` | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
