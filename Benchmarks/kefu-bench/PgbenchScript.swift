import Foundation

/// The pgbench side's custom script: the same row as `KefuTicketInsert`, built from pgbench
/// `\set` integers (pgbench has no client-side UUIDs or strings) and server-side functions.
enum PgbenchScript {
    /// The script text. `\set` variables travel as bound parameters under `-M extended`.
    static var text: String {
        func literal(_ text: some StringProtocol) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        func pick(_ words: [String], _ variable: String) -> String {
            "(ARRAY[" + words.map(literal).joined(separator: ", ") + "])[:\(variable)]"
        }
        let subjectPrefix = TicketShape.subject(number: 0).dropLast(1)
        return """
            \\set tenant random(1, \(TicketShape.tenantCount))
            \\set number random(1, \(TicketShape.maxNumber))
            \\set channel random(1, \(TicketShape.channels.count))
            \\set priority random(1, \(TicketShape.priorities.count))
            \\set status random(1, \(TicketShape.statuses.count))
            INSERT INTO \(TicketShape.table) (\(TicketShape.columns))
            VALUES ((\(literal(TicketShape.tenantPrefix)) || lpad(:tenant::text, 12, '0'))::uuid, gen_random_uuid(), :number,
                    \(pick(TicketShape.channels, "channel")), \(pick(TicketShape.priorities, "priority")),
                    \(pick(TicketShape.statuses, "status")),
                    \(literal(subjectPrefix)) || :number, \(literal(TicketShape.description)), now());

            """
    }

    /// Writes the script into `directory` and returns its path.
    static func write(in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent("insert-ticket.sql")
        try Data(text.utf8).write(to: file)
        return file
    }
}
