import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime

/// `kefu db …`: the database Kefu uses.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Show, open, start or stop the database Kefu uses.",
        subcommands: [DatabaseURLCommand.self, DatabasePsqlCommand.self, DatabaseStartCommand.self, DatabaseStopCommand.self]
    )
}

/// `kefu db url`: prints the owner URL in use (starting the embedded cluster if needed), or with
/// `--app` / `--worker` the URL the API / the worker connects with.
struct DatabaseURLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "url",
        abstract: "Print the database URL in use (starts the embedded cluster and leaves it running)."
    )

    @Flag(help: "Print the application role's (kefu_app, the API's) URL instead of the owner's.")
    var app = false

    @Flag(help: "Print the worker role's (kefu_worker) URL instead of the owner's.")
    var worker = false

    @Flag(help: "Include the password.")
    var showPassword = false

    func validate() throws {
        if app && worker { throw ValidationError("--app and --worker are exclusive") }
    }

    func run() async throws {
        let context = try CommandContext.make()
        let configuration: PostgresConfiguration
        if app || worker {
            let (connection, variable) = app ? (context.database.app, "KEFU_APP_DATABASE_URL") : (context.database.worker, "KEFU_WORKER_DATABASE_URL")
            // Printing the owner's URL as a role's would hand out a connection that bypasses RLS.
            guard let connection, !connection.switchesFromOwner else {
                throw ValidationError("there is no separate URL for this role: set \(variable).")
            }
            configuration = connection.configuration
        } else {
            configuration = context.database.ownerConfiguration
        }
        Console.write(configuration.url(revealingPassword: showPassword))
    }
}

/// `kefu db psql`: opens psql on the database in use. The password goes to psql in its
/// environment (`PGPASSWORD`), never on the command line, where any user could read it (`ps`).
struct DatabasePsqlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psql",
        abstract: "Open psql on the database in use (as the owner)."
    )

    @Argument(parsing: .captureForPassthrough, help: "Extra arguments passed to psql.")
    var arguments: [String] = []

    func run() async throws {
        let context = try CommandContext.make()
        let psql = context.database.embedded.map { $0.binDirectory.appendingPathComponent("psql").path } ?? "/usr/bin/psql"
        let (argv, password) = Self.invocation(psql: psql, owner: context.database.ownerConfiguration, arguments: arguments)
        if let password { setenv("PGPASSWORD", password, 1) }
        let pointers = argv.map { strdup($0) } + [nil]
        execv(psql, pointers)
        throw ValidationError("could not run \(psql): \(String(cString: strerror(errno)))")
    }

    /// psql's arguments (the owner's URL without its password) and the password to hand it
    /// through `PGPASSWORD`.
    static func invocation(psql: String, owner: PostgresConfiguration, arguments: [String]) -> (argv: [String], password: String?) {
        var owner = owner
        let password = owner.parameters.removeValue(forKey: "password")
        return ([psql, owner.url()] + arguments, password)
    }
}

/// `kefu db start`: starts the embedded cluster and leaves it running.
struct DatabaseStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start the embedded cluster (no-op with DATABASE_URL)."
    )

    func run() async throws {
        let context = try CommandContext.make()
        Console.write(
            context.database.embedded == nil
                ? "Using DATABASE_URL; nothing to start." : "Embedded PostgreSQL is running: \(context.database.ownerConfiguration)"
        )
    }
}

/// `kefu db stop`: stops the embedded cluster.
struct DatabaseStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop the embedded cluster (no-op with DATABASE_URL)."
    )

    func run() async throws {
        let environment = try KefuEnvironment.fromProcess()
        guard environment.databaseURL == nil else { return Console.write("Using DATABASE_URL; nothing to stop.") }
        let embedded = try EmbeddedPostgres(.init(dataDirectory: environment.home.appendingPathComponent("pgdata")))
        try embedded.stop()
        Console.write("Embedded PostgreSQL stopped.")
    }
}
