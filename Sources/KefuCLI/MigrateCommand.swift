import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime

/// `kefu migrate`: applies the `sql/` migrations (advisory-locked, checksummed, idempotent).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending SQL migrations (or list them with --status)."
    )

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    @Flag(help: "Print JSON for scripts.")
    var json = false

    struct Entry: Encodable {
        var version: Int
        var name: String
        var appliedAt: Date?
        var state: String
    }

    func run() async throws {
        let context = try CommandContext.make()
        defer { context.database.stopIfStarted() }
        let migrator = Migrator(
            context.database.ownerConfiguration,
            migrations: try MigrationFiles.load(context.environment),
            logger: context.logger
        )
        if status {
            let entries = try await migrator.status().map {
                Entry(version: $0.version, name: $0.name, appliedAt: $0.appliedAt, state: $0.isApplied ? "applied" : "pending")
            }
            if json { return try printJSON(entries) }
            printTable(
                ["VERSION", "NAME", "STATE", "APPLIED AT"],
                entries.map {
                    [String($0.version), $0.name, $0.state, $0.appliedAt.map(PostgresTimestamp.formatISO8601) ?? "-"]
                }
            )
            return
        }
        let applied = try await migrator.migrate()
        if json {
            return try printJSON(applied.map { Entry(version: $0.version, name: $0.name, appliedAt: Date(), state: "applied") })
        }
        if applied.isEmpty {
            Console.write("Database is up to date (\(migrator.migrations.count) migrations).")
        } else {
            for migration in applied { Console.write("applied \(String(format: "%03d", migration.version))_\(migration.name).sql") }
        }
    }
}
