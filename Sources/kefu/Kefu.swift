import ArgumentParser

/// `kefu`: the helpdesk server, worker and operator tool.
@main
struct Kefu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kefu",
        abstract: "Kefu (客服) — a multi-tenant helpdesk / CRM backend on PostgreSQL.",
        discussion: """
            Configuration comes from environment variables (DATABASE_URL, KEFU_HTTP_PORT, …; see README).
            With no DATABASE_URL, Kefu starts a private PostgreSQL cluster under $KEFU_HOME (default ./.kefu).
            """,
        subcommands: [
            MigrateCommand.self,
            DatabaseCommand.self,
        ])
}
