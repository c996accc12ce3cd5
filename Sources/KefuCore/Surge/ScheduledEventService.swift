import Foundation
import KefuPostgres

/// A planned busy period (a sales promotion …).
public struct ScheduledEvent: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    /// When reserve agents go on duty (start minus the tenant's lead time).
    public var activateAt: Date
    public var activatedAt: Date?
    public var returnedAt: Date?
    public var createdAt: Date
}

/// Input for a scheduled event.
public struct NewScheduledEvent: Codable, Sendable {
    public var name: String
    public var description: String?
    public var startsAt: Date
    public var endsAt: Date
    public init(name: String, description: String? = nil, startsAt: Date, endsAt: Date) {
        self.name = name
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// Pre-planning: reserve agents are activated `surge.reserve_lead_days` before an event and
/// returned (exactly, like a surge restore) after it ends.
public struct ScheduledEventService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    static let columns: PostgresQuery = """
        id, tenant_id, name, description, starts_at, ends_at, activate_at, activated_at, returned_at, created_at
        """

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    public func create(_ principal: Principal, _ input: NewScheduledEvent) async throws -> ScheduledEvent {
        try principal.authorize(.planEvents)
        let name = try Validate.text(input.name, field: "name")
        let description = try input.description.map { try Validate.text($0, field: "description", maxLength: 5000) } ?? ""
        guard input.endsAt > input.startsAt else { throw KefuError.invalidField("ends_at", "must be after starts_at") }
        return try await database.transaction(principal.tenantID) { tx in
            let now = clock.now()
            guard input.endsAt > now else { throw KefuError.invalidField("ends_at", "must be in the future") }
            let lead = try await SettingsService.load(tx).settings.surge.reserveLeadDays
            let activateAt = input.startsAt.addingTimeInterval(-TimeInterval(lead) * 86_400)
            return try require(
                try await tx.queryFirst(
                    ScheduledEvent.self,
                    """
                    INSERT INTO scheduled_events (tenant_id, name, description, starts_at, ends_at, activate_at, created_by, created_at)
                    VALUES (\(tx.tenantID), \(name), \(description), \(input.startsAt), \(input.endsAt), \(activateAt), \(principal.agentID), \(now))
                    RETURNING \(Self.columns)
                    """
                )
            )
        }
    }

    public func list(_ tenantID: UUID) async throws -> [ScheduledEvent] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                ScheduledEvent.self,
                "SELECT \(Self.columns) FROM scheduled_events WHERE tenant_id = \(tenantID) ORDER BY starts_at, id"
            )
        }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> ScheduledEvent {
        try await database.transaction(tenantID, readOnly: true) { tx in
            guard
                let event = try await tx.queryFirst(
                    ScheduledEvent.self,
                    """
                    SELECT \(Self.columns) FROM scheduled_events WHERE tenant_id = \(tenantID) AND id = \(id)
                    """
                )
            else { throw KefuError.notFound("event") }
            return event
        }
    }

    /// Activates reserves for events whose lead time has come and returns them after events end
    /// (not while a surge incident is open: the surge restore comes first). Conditional updates
    /// make each step happen once.
    func apply(_ tenantID: UUID) async throws {
        try await database.transaction(tenantID) { tx in
            let now = clock.now()
            let starting = try await tx.query(
                """
                UPDATE scheduled_events SET activated_at = \(now)
                WHERE tenant_id = \(tenantID) AND activated_at IS NULL AND activate_at <= \(now) AND ends_at > \(now)
                RETURNING id, name
                """
            )
            for event in starting {
                let eventID = try event.decode(UUID.self, "id")
                let activated = try await tx.execute(
                    """
                    WITH before AS (
                        SELECT id, duty_status FROM agents WHERE tenant_id = \(tenantID) AND active AND duty_status = 'reserve' FOR UPDATE
                    ), switched AS (
                        UPDATE agents a SET duty_status = 'on_duty', updated_at = \(now) FROM before b
                        WHERE a.tenant_id = \(tenantID) AND a.id = b.id RETURNING a.id, b.duty_status AS previous
                    )
                    INSERT INTO event_agent_changes (tenant_id, event_id, agent_id, previous_status, applied_status)
                    SELECT \(tenantID), \(eventID), id, previous, 'on_duty' FROM switched
                    """
                )
                try await NotificationStore.notify(
                    tx,
                    try await NotificationStore.supervisors(tx),
                    kind: "event_staffing",
                    ticket: nil,
                    message: "\(try event.decode(String.self, "name")): \(activated) reserve agents are now on duty",
                    at: now
                )
            }
            let surging = try await tx.queryScalar(Bool.self, "SELECT active FROM surge_modes WHERE tenant_id = \(tenantID)") ?? false
            guard !surging else { return }
            let ended = try await tx.query(
                """
                UPDATE scheduled_events SET returned_at = \(now)
                WHERE tenant_id = \(tenantID) AND activated_at IS NOT NULL AND returned_at IS NULL AND ends_at <= \(now)
                RETURNING id
                """
            ).map { try $0.decode(UUID.self, at: 0) }
            for eventID in ended {
                try await tx.execute(
                    """
                    UPDATE agents a SET duty_status = c.previous_status, updated_at = \(now)
                    FROM event_agent_changes c
                    WHERE c.tenant_id = \(tenantID) AND c.event_id = \(eventID) AND a.tenant_id = c.tenant_id AND a.id = c.agent_id
                      AND a.duty_status = c.applied_status
                    """
                )
                try await tx.execute(
                    """
                    UPDATE event_agent_changes SET restored_at = \(now) WHERE tenant_id = \(tenantID) AND event_id = \(eventID)
                    """
                )
            }
        }
    }
}
