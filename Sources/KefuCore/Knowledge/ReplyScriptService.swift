import Foundation
import KefuPostgres

/// The kinds of canned replies (话术).
public enum ReplyScriptKind: String, Codable, Sendable, CaseIterable {
    /// Empathy first: "I completely understand how anxious you must be…"
    case soothe
    case explain, apologize, handover, progress
}

/// A canned reply with `{{placeholders}}`.
public struct ReplyScript: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: ReplyScriptKind
    public var name: String
    public var body: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// Input for a reply script.
public struct NewReplyScript: Codable, Sendable {
    public var kind: String
    public var name: String
    public var body: String
    public init(kind: String, name: String, body: String) {
        self.kind = kind
        self.name = name
        self.body = body
    }
}

/// A script filled in for one ticket.
public struct RenderedScript: Codable, Sendable, Equatable {
    public var scriptId: UUID
    public var ticketId: UUID
    public var text: String
}

/// Reply scripts: placeholders are checked when saved and filled from a ticket when rendered.
public struct ReplyScriptService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    /// The placeholders a script may use.
    public static let placeholders = ["customer_name", "agent_name", "ticket_number", "expected_reply_at"]
    static let columns: PostgresQuery = "id, kind, name, body, created_at, updated_at"

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// The `{{name}}` placeholders in `body`.
    static func placeholders(in body: String) -> [String] {
        var names: [String] = []
        var rest = body[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            names.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    public func create(_ principal: Principal, _ input: NewReplyScript) async throws -> ReplyScript {
        try principal.authorize(.manageReplyScripts)
        let kind = try Validate.choice(input.kind, ReplyScriptKind.self, field: "kind")
        let name = try Validate.text(input.name, field: "name")
        let body = try Validate.text(input.body, field: "body", maxLength: 10_000)
        if let unknown = Self.placeholders(in: body).first(where: { !Self.placeholders.contains($0) }) {
            throw KefuError.invalidField(
                "body",
                "unknown placeholder {{\(unknown)}}; use \(Self.placeholders.map { "{{\($0)}}" }.joined(separator: ", "))"
            )
        }
        return try await database.transaction(principal.tenantID) { tx in
            let now = clock.now()
            do {
                return try require(
                    try await tx.queryFirst(
                        ReplyScript.self,
                        """
                        INSERT INTO reply_scripts (tenant_id, kind, name, body, created_at, updated_at)
                        VALUES (\(tx.tenantID), \(kind.rawValue), \(name), \(body), \(now), \(now)) RETURNING \(Self.columns)
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("a \(kind.rawValue) script named \(name) already exists")
            }
        }
    }

    public func list(_ tenantID: UUID, kind: String?) async throws -> [ReplyScript] {
        let kind = try kind.map { try Validate.choice($0, ReplyScriptKind.self, field: "kind").rawValue }
        return try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                ReplyScript.self,
                """
                SELECT \(Self.columns) FROM reply_scripts WHERE tenant_id = \(tenantID) AND (\(kind)::text IS NULL OR kind = \(kind))
                ORDER BY kind, name
                """
            )
        }
    }

    /// Fills the script in for a ticket, as written by the calling agent.
    public func render(_ principal: Principal, scriptID: UUID, ticketID: UUID) async throws -> RenderedScript {
        try await database.transaction(principal.tenantID, readOnly: true) { tx in
            guard
                let script = try await tx.queryFirst(
                    ReplyScript.self,
                    """
                    SELECT \(Self.columns) FROM reply_scripts WHERE tenant_id = \(tx.tenantID) AND id = \(scriptID)
                    """
                )
            else { throw KefuError.notFound("reply script") }
            let ticket: Ticket
            do {
                ticket = try await TicketStore.fetch(tx, id: ticketID)
            } catch KefuError.notFound {
                throw KefuError.invalidField("ticket_id", "no such ticket")
            }
            let customer = try await CustomerStore.fetch(tx, id: ticket.customerId)
            let agent = try await AgentService.fetch(tx, id: principal.agentID)
            let profile = try await SettingsService.load(tx)
            let calendar = profile.settings.calendar(timezone: profile.timezone, channel: ticket.channel.rawValue)
            let expected = ticket.departmentDueAt ?? ticket.humanAvailableAt ?? ticket.progressDueAt ?? ticket.firstResponseDueAt
            let values = [
                "customer_name": customer.name, "agent_name": agent.name, "ticket_number": ticket.reference,
                "expected_reply_at": expected.map { AutoReply.localTime($0, calendar: calendar) } ?? "as soon as possible",
            ]
            var text = script.body
            for (name, value) in values {
                text = text.replacingOccurrences(of: "{{\(name)}}", with: value).replacingOccurrences(of: "{{ \(name) }}", with: value)
            }
            return RenderedScript(scriptId: script.id, ticketId: ticket.id, text: text)
        }
    }
}
