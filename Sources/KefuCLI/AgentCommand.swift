import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu agent …`: enough to staff a helpdesk without the API.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Add and list agents.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agent to a tenant.")
        @OptionGroup var scope: TenantOption
        @Option(help: "Full name.") var name: String
        @Option(help: "Email (unique within the tenant).") var email: String
        @Option(help: "agent, supervisor, qa, admin, or integration (a channel gateway's key).") var role = "agent"
        @Option(help: "junior, mid or senior.") var tier = "junior"
        @Option(help: "Comma-separated skills, e.g. refund,billing.") var skills = ""
        @Option(help: "on_duty, off_rotation, reserve or away.") var dutyStatus = "on_duty"
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let skillList = skills.split(separator: ",").map { String($0) }
            let agent = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                return try await AgentService(database: TenantDatabase(pool: pool)).create(
                    tenantID,
                    NewAgent(
                        name: name,
                        email: email,
                        role: role,
                        tier: tier,
                        skills: skillList,
                        dutyStatus: dutyStatus
                    )
                )
            }
            if output.json { return try printJSON(agent) }
            printAgents([agent])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's agents.")
        @OptionGroup var scope: TenantOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let agents = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                return try await OperatorLookup.all { try await AgentService(database: TenantDatabase(pool: pool)).list(tenantID, page: $0) }
            }
            if output.json { return try printJSON(agents) }
            printAgents(agents)
        }
    }
}

func printAgents(_ agents: [Agent]) {
    printTable(
        ["ID", "NAME", "EMAIL", "ROLE", "TIER", "DUTY", "SKILLS"],
        agents.map {
            [
                $0.id.uuidString.lowercased(), $0.name, $0.email, $0.role.rawValue, $0.tier.rawValue, $0.dutyStatus.rawValue,
                $0.skills.joined(separator: ","),
            ]
        }
    )
}
