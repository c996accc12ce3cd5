import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime

/// `kefu archive …`: old months of the monthly-partitioned tables, out of the database.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive whole past months of the monthly-partitioned tables (ticket_events, …) to files.",
        subcommands: [ArchiveExportCommand.self]
    )
}

/// `kefu archive export --before YYYY-MM-DD --to DIR`: writes every monthly partition (of every
/// table sql/046 finds) that ends on or before the date to `DIR/<table>_pYYYYMM.csv`, then
/// detaches and drops it (`PartitionArchive`). Runs as the owner role, like `kefu migrate`.
struct ArchiveExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the monthly partitions ending on or before a date to CSV files, then drop them.",
        discussion: """
            Every partitioned table with a tenant_id column and monthly partitions <table>_pYYYYMM takes part.
            Refuses (writing nothing) when a tenant's retention.service_records_years still covers its rows in
            one of the months of any table, when the date is in the future, or when an archive file already exists.
            Files are CSV with a header (mode 0600); docs/OPERATIONS.md ("Archiving old months") says how to
            read or restore one, and that erasure requests must be handled against archives by hand.
            """
    )

    @Option(help: "Archive the months that end on or before this date (YYYY-MM-DD, UTC; not in the future).")
    var before: String

    @Option(help: "The directory the CSV files go to (created if missing).")
    var to: String

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try beforeDate()
    }

    /// `--before` read as a date; the one place its error is worded.
    private func beforeDate() throws -> LocalDate {
        guard let date = LocalDate(before) else { throw ValidationError("--before must be a date like 2025-01-01 (YYYY-MM-DD)") }
        return date
    }

    func run() async throws {
        let date = try beforeDate()
        let context = try CommandContext.make()
        let exported = try await context.withOwnerPool { pool in
            try await PartitionArchive(ownerPool: pool).export(before: date.midnightUTC, to: URL(fileURLWithPath: to, isDirectory: true))
        }
        if output.json { return try printJSON(exported) }
        if exported.isEmpty { return Console.write("Nothing to archive: no monthly partition ends on or before \(before).") }
        for month in exported {
            Console.write("archived \(month.table) \(month.partition): \(month.rows) rows, \(month.bytes) bytes, \(month.file)")
        }
    }
}
