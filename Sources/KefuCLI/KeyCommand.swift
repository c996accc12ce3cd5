import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu key …`: API keys of a tenant's agents.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for an agent (shown once).")
        @OptionGroup var scope: TenantOption
        @Option(help: "The agent's email (default: the tenant's first admin).") var agent: String?
        @Option(help: "A label for the key.") var name: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let created = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                let agentID = try await OperatorLookup.agentID(pool: pool, tenantID: tenantID, email: agent)
                return try await APIKeyService(database: TenantDatabase(pool: pool)).create(tenantID, agentID: agentID, name: name)
            }
            if output.json { return try printJSON(created) }
            Console.write("Created key \(created.key.id.uuidString.lowercased()) (\(created.key.prefix)…)")
            Console.write("API key (shown once, store it now): \(created.apiKey)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's API keys (never the keys themselves).")
        @OptionGroup var scope: TenantOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let keys = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                return try await OperatorLookup.all { try await APIKeyService(database: TenantDatabase(pool: pool)).list(tenantID, page: $0) }
            }
            if output.json { return try printJSON(keys) }
            printTable(
                ["ID", "NAME", "PREFIX", "AGENT", "LAST USED", "REVOKED"],
                keys.map {
                    [
                        $0.id.uuidString.lowercased(), $0.name, $0.prefix, $0.agentId.uuidString.lowercased(),
                        $0.lastUsedAt.map(KefuJSON.format) ?? "-", $0.revokedAt.map(KefuJSON.format) ?? "-",
                    ]
                }
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key.")
        @OptionGroup var scope: TenantOption
        @Argument(help: "The key's id (from `kefu key list`).") var id: String

        func run() async throws {
            guard let keyID = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a key id (a UUID)") }
            _ = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                return try await APIKeyService(database: TenantDatabase(pool: pool)).revoke(tenantID, id: keyID)
            }
            Console.write("Revoked key \(keyID.uuidString.lowercased()).")
        }
    }
}

/// Lookups shared by operator commands.
enum OperatorLookup {
    /// The agent with `email`, or the tenant's earliest admin when nil.
    static func agentID(pool: ConnectionPool, tenantID: UUID, email: String?) async throws -> UUID {
        try await TenantDatabase(pool: pool).transaction(tenantID, readOnly: true) { tx in
            let id: UUID?
            if let email {
                id = try await tx.queryScalar(UUID.self, "SELECT id FROM agents WHERE tenant_id = \(tenantID) AND email = \(email.lowercased())")
            } else {
                id = try await tx.queryScalar(
                    UUID.self,
                    """
                    SELECT id FROM agents WHERE tenant_id = \(tenantID) AND role = 'admin' AND active ORDER BY created_at LIMIT 1
                    """
                )
            }
            guard let id else { throw KefuError.notFound(email.map { "agent \($0)" } ?? "admin agent") }
            return id
        }
    }

    /// Every item of a paginated list.
    static func all<T>(_ fetch: (PageRequest) async throws -> Page<T>) async throws -> [T] {
        var items: [T] = []
        var cursor: String?
        repeat {
            let page = try await fetch(try PageRequest(limit: PageRequest.maximumLimit, cursor: cursor))
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }
}
