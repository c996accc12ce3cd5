import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu tenant …`: operators create, inspect, suspend, export and delete tenants.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants (companies' helpdesks).",
        subcommands: [Create.self, List.self, Show.self, Suspend.self, Resume.self, Export.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant, its first admin agent and that admin's API key (shown once).")

        @Option(help: "Short unique name: lowercase letters, digits and '-'.") var slug: String
        @Option(help: "The company's name.") var name: String
        @Option(help: "IANA time zone of the helpdesk.") var timezone = "UTC"
        @Option(help: "Name of the first admin agent.") var adminName = "Administrator"
        @Option(help: "Email of the first admin agent (default admin@SLUG.kefu.local).") var adminEmail: String?
        @Flag(help: "Print JSON (includes tenant_id and api_key).") var json = false

        func run() async throws {
            let created = try await CommandContext.make().withOwnerPool { pool in
                try await TenantAdminService(ownerPool: pool).create(
                    NewTenant(
                        slug: slug,
                        name: name,
                        timezone: timezone,
                        adminName: adminName,
                        adminEmail: adminEmail
                    )
                )
            }
            if json {
                struct Output: Encodable {
                    var tenantId: UUID
                    var tenant: Tenant
                    var admin: Agent
                    var apiKey: String
                }
                return try printJSON(Output(tenantId: created.tenant.id, tenant: created.tenant, admin: created.admin, apiKey: created.apiKey))
            }
            Console.write("Created tenant \(created.tenant.slug) (\(created.tenant.id))")
            Console.write("Admin agent: \(created.admin.name) <\(created.admin.email)>")
            Console.write("API key (shown once, store it now): \(created.apiKey)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tenants = try await CommandContext.make().withOwnerPool { try await TenantAdminService(ownerPool: $0).list() }
            if output.json { return try printJSON(tenants) }
            printTable(
                ["SLUG", "NAME", "STATUS", "TIMEZONE", "ID"],
                tenants.map {
                    [$0.slug, $0.name, $0.status.rawValue, $0.timezone, $0.id.uuidString.lowercased()]
                }
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")
        @Argument(help: "The tenant's slug.") var slug: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tenant = try await CommandContext.make().withOwnerPool { try await TenantAdminService(ownerPool: $0).find(slug: slug) }
            try printTenant(tenant, json: output.json)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a tenant: its API keys stop working; nothing is deleted.")
        @Argument(help: "The tenant's slug.") var slug: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tenant = try await CommandContext.make().withOwnerPool {
                try await TenantAdminService(ownerPool: $0).setStatus(slug: slug, .suspended)
            }
            try printTenant(tenant, json: output.json)
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended tenant.")
        @Argument(help: "The tenant's slug.") var slug: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tenant = try await CommandContext.make().withOwnerPool {
                try await TenantAdminService(ownerPool: $0).setStatus(slug: slug, .active)
            }
            try printTenant(tenant, json: output.json)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export everything a tenant owns as JSON (do this before deleting).")
        @Argument(help: "The tenant's slug.") var slug: String
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() async throws {
            let document = try await CommandContext.make().withOwnerPool { try await TenantAdminService(ownerPool: $0).export(slug: slug) }
            if let output {
                try document.write(toFile: output, atomically: true, encoding: .utf8)
                Console.write("Exported \(slug) to \(output)")
            } else {
                Console.write(document)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a tenant and everything it owns. Export it first; --confirm must repeat the slug."
        )
        @Argument(help: "The tenant's slug.") var slug: String
        @Option(help: "Repeat the slug to confirm.") var confirm: String

        func run() async throws {
            try await CommandContext.make().withOwnerPool {
                try await TenantAdminService(ownerPool: $0).delete(slug: slug, confirm: confirm)
            }
            Console.write("Deleted tenant \(slug).")
        }
    }
}

func printTenant(_ tenant: Tenant, json: Bool) throws {
    if json { return try printJSON(tenant) }
    printTable(
        ["SLUG", "NAME", "STATUS", "TIMEZONE", "ID"],
        [[tenant.slug, tenant.name, tenant.status.rawValue, tenant.timezone, tenant.id.uuidString.lowercased()]]
    )
}
