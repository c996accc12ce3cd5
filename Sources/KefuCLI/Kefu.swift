@_exported import ArgumentParser

/// `kefu`: the helpdesk server, worker and operator tool.
public struct Kefu: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "kefu",
        abstract: "Kefu (客服) — a multi-tenant helpdesk / CRM backend on PostgreSQL.",
        discussion: """
            Configuration comes from environment variables (DATABASE_URL, KEFU_HTTP_PORT, …; see README).
            With no DATABASE_URL, Kefu starts a private PostgreSQL cluster under $KEFU_HOME (default ./.kefu).
            """,
        subcommands: [
            ServeCommand.self,
            WorkerCommand.self,
            TimersCommand.self,
            DeliveriesCommand.self,
            SurgeCommand.self,
            ReportCommand.self,
            MigrateCommand.self,
            ArchiveCommand.self,
            TenantCommand.self,
            AgentCommand.self,
            KeyCommand.self,
            DatabaseCommand.self,
        ]
    )
}

extension Kefu {
    /// Parses the command line and runs the chosen command asynchronously, exiting with
    /// ArgumentParser's message and a non-zero status on error.
    public static func runMain(_ arguments: [String]? = nil) async {
        do {
            try await run(arguments: arguments)
        } catch {
            exit(withError: error)
        }
    }

    /// Parses `arguments` and runs the command, throwing its error (tests drive the CLI this way).
    public static func run(arguments: [String]?) async throws {
        var command = try await asyncParseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }
}
