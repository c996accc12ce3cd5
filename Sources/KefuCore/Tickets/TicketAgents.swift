import Foundation
import KefuPostgres

/// Who may own tickets: the check behind every action that names an owner.
enum TicketAgents {
    /// An active agent of the tenant who can own tickets (not an integration key), or `invalidField(field)`.
    static func requireActive(_ tx: TenantTransaction, _ id: UUID, field: String) async throws -> AgentRef {
        let agent = try? await AgentService.fetch(tx, id: id)
        guard let agent, agent.active else { throw KefuError.invalidField(field, "no such active agent") }
        guard agent.role != .integration else { throw KefuError.invalidField(field, "an integration key cannot own tickets") }
        return AgentRef(id: agent.id, name: agent.name)
    }
}
