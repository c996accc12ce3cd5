import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// People and tickets for the department, plan and task-force tests: an owner who gets the
/// ticket from routing, then (added after intake, off duty) a supervisor, a department with one
/// member, and an agent of another department.
struct CollaborationCast {
    var ticket: String
    var owner: Agent
    var ownerKey: String
    var supervisor: Agent
    var supervisorKey: String
    var departmentID: String
    var member: Agent
    var memberKey: String
    var outsider: Agent
    var outsiderKey: String
}

extension TicketTestCase {
    /// A ticket of `priority` owned by "Agent An" and the cast around it.
    func collaborationCast(priority: String = "P3") async throws -> CollaborationCast {
        let owner = try await addAgent("Agent An", tier: "mid")
        let ownerKey = try await keyFor(owner)
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "fault", "priority": priority,
            "description": "Refund never arrived",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        let ticket = try require(created["id"]?.string)
        let supervisor = try await addAgent("Sun Qiang", tier: "senior", role: "supervisor", duty: "away")
        let billing = try await services.departments.create(tenantID, NewDepartment(name: "Billing"))
        let logistics = try await services.departments.create(tenantID, NewDepartment(name: "Logistics"))
        let member = try await departmentAgent("Dora Deng", billing.id)
        let outsider = try await departmentAgent("Otto Ou", logistics.id)
        return CollaborationCast(
            ticket: ticket,
            owner: owner,
            ownerKey: ownerKey,
            supervisor: supervisor,
            supervisorKey: try await keyFor(supervisor),
            departmentID: billing.id.uuidString,
            member: member,
            memberKey: try await keyFor(member),
            outsider: outsider,
            outsiderKey: try await keyFor(outsider)
        )
    }

    /// An off-duty agent of `department`.
    func departmentAgent(_ name: String, _ department: UUID) async throws -> Agent {
        try await services.agents.create(
            tenantID,
            NewAgent(
                name: name,
                email: "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@acme.cn",
                role: "agent",
                tier: "mid",
                dutyStatus: "away",
                departmentId: department
            )
        )
    }

    /// Runs one worker sweep at `instant` (the injected clock).
    func sweep(at instant: Date) async throws {
        clock.set(instant)
        _ = try await worker.timers.sweep()
    }

    /// The worker's breach of `clock` on the ticket (due and detection instants), nil when none.
    func breach(_ clock: String, _ ticket: String) async throws -> (due: Date, detected: Date, met: Date?)? {
        let row = try await ownerPool.queryFirst(
            "SELECT due_at, detected_at, met_at FROM ticket_sla_breaches WHERE ticket_id = \(try require(UUID(uuidString: ticket))) AND clock = \(clock)"
        )
        guard let row else { return nil }
        return (try row.decode(Date.self, "due_at"), try row.decode(Date.self, "detected_at"), try row.decode(Date?.self, "met_at"))
    }

    /// How many notifications of `kind` `recipient` has about the ticket (message containing `text`).
    func notifications(_ kind: String, to recipient: UUID, _ ticket: String, containing text: String = "") async throws -> Int {
        try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*)::int FROM notifications WHERE kind = \(kind) AND recipient_id = \(recipient)
              AND ticket_id = \(try require(UUID(uuidString: ticket))) AND strpos(message, \(text)) > 0
            """
        ) ?? -1
    }

    /// The kinds of the ticket's events, in order.
    func eventKinds(_ ticket: String) async throws -> [String] {
        let events = try await get("/v1/tickets/\(ticket)/events")
        return (events["items"]?.array ?? []).compactMap { $0["kind"]?.string }
    }
}
