import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import Logging

/// What every command needs: validated configuration, logging, and the database.
public struct CommandContext {
    /// Replaces the process environment (tests run commands in-process against their own database).
    nonisolated(unsafe) public static var environmentOverride: [String: String]?

    let environment: KefuEnvironment
    let logger: Logger
    let database: DatabaseRuntime

    /// Reads the environment, bootstraps logging (to stderr, so stdout stays clean for `--json`)
    /// and resolves the database, starting the embedded cluster if needed.
    static func make(label: String = "kefu") throws -> CommandContext {
        let environment: KefuEnvironment
        do {
            environment = try KefuEnvironment.fromProcess(CommandContext.environmentOverride ?? ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        LoggingBootstrap.bootstrap(level: environment.logLevel)
        let logger = Logger(label: label)
        let database = try DatabaseRuntime.resolve(environment, logger: logger)
        return CommandContext(environment: environment, logger: logger, database: database)
    }

    /// Applies pending migrations as the owner role.
    @discardableResult
    func migrate() async throws -> [Migration] {
        let migrations = try MigrationFiles.load(environment)
        return try await Migrator(database.ownerConfiguration, migrations: migrations, logger: logger).migrate()
    }
}

/// Prints a value as the API writes it (`CompactJSONEncoder`: snake_case keys, UTC instants with
/// milliseconds, absent optionals left out), so `--json` output and API answers are one format.
func printJSON(_ value: some Encodable) throws {
    Console.write(String(decoding: try CompactJSONEncoder().encode(value), as: UTF8.self))
}

/// Prints rows as an aligned text table for people.
func printTable(_ headers: [String], _ rows: [[String]]) {
    var widths = headers.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    Console.write(line(headers))
    Console.write(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { Console.write(line(row)) }
}

/// Where commands write their output: stdout, or a capture in tests.
public enum Console {
    nonisolated(unsafe) public static var sink: (String) -> Void = { print($0) }

    static func write(_ text: String) { sink(text) }
}

extension CommandContext {
    /// Runs an operator action with an owner-role pool, migrating the embedded cluster first
    /// (so a new user can create a tenant before ever starting the server).
    func withOwnerPool<T>(_ body: (ConnectionPool) async throws -> T) async throws -> T {
        defer { database.stopIfStarted() }
        if database.embedded != nil { try await migrate() }
        let pool = database.makeOwnerPool(logger: logger)
        do {
            let value = try await body(pool)
            await pool.shutdown()
            return value
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
