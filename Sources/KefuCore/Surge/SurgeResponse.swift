import Foundation
import KefuPostgres

/// Level-1 response and its exact undo, each in the caller's transaction.
enum SurgeResponse {
    /// Switches the tenant into contingency mode: automatic replies off, rotation cancelled
    /// (off-rotation and reserve agents on duty, their statuses saved), fast transfer on,
    /// supervisors notified, an incident recorded. Returns nil if the mode was already on.
    static func activate(
        _ tx: TenantTransaction,
        rate: SurgeRate,
        trigger: String,
        by agent: UUID?,
        at now: Date
    ) async throws -> Incident? {
        let switched = try await tx.execute(
            """
            UPDATE surge_modes SET active = true, auto_replies_off = true, fast_transfer = true, calm_since = NULL, changed_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND NOT active
            """
        )
        guard switched == 1 else { return nil }
        let incidentID = UUID()
        // An incident during a planned event (reserves activated, not yet returned, or inside its hours) is linked to it.
        try await tx.execute(
            """
            INSERT INTO incidents (tenant_id, id, channel, trigger, started_at, live_count, normal_count, ratio, baseline, started_by, event_id)
            VALUES (\(tx.tenantID), \(incidentID), \(rate.channel), \(trigger), \(now), \(rate.live), \(rate.normal), \(rate.ratio),
                    \(rate.baseline), \(agent),
                    (SELECT id FROM scheduled_events WHERE tenant_id = \(tx.tenantID)
                       AND ((starts_at <= \(now) AND ends_at > \(now)) OR (activated_at IS NOT NULL AND returned_at IS NULL))
                     ORDER BY starts_at LIMIT 1))
            """
        )
        let changed = try await tx.query(
            """
            WITH before AS (
                SELECT id, duty_status FROM agents
                WHERE tenant_id = \(tx.tenantID) AND active AND duty_status IN ('off_rotation', 'reserve') FOR UPDATE
            ), switched AS (
                UPDATE agents a SET duty_status = 'on_duty', updated_at = \(now) FROM before b
                WHERE a.tenant_id = \(tx.tenantID) AND a.id = b.id
                RETURNING a.id, b.duty_status AS previous
            )
            INSERT INTO incident_agent_changes (tenant_id, incident_id, agent_id, previous_status, applied_status)
            SELECT \(tx.tenantID), \(incidentID), id, previous, 'on_duty' FROM switched
            RETURNING previous_status
            """
        ).map { try $0.decode(String.self, at: 0) }
        let supervisors = try await NotificationStore.supervisors(tx)
        try await NotificationStore.notify(
            tx,
            supervisors,
            kind: "surge_started",
            ticket: nil,
            message: String(
                format: "Surge on %@: %d tickets in the window, %.1f× normal. Level-1 response is on.",
                rate.channel,
                rate.live,
                rate.ratio
            ),
            at: now
        )
        let actions = [
            "auto_replies_off", "fast_transfer_on",
            "rotation_cancelled:\(changed.filter { $0 == "off_rotation" }.count)",
            "reserve_activated:\(changed.filter { $0 == "reserve" }.count)",
            "supervisors_notified:\(supervisors.count)",
        ]
        try await tx.execute(
            """
            UPDATE incidents SET actions = \(json: actions) WHERE tenant_id = \(tx.tenantID) AND id = \(incidentID);
            """
        )
        try await tx.execute("UPDATE surge_modes SET incident_id = \(incidentID) WHERE tenant_id = \(tx.tenantID)")
        return try await IncidentStore.fetch(tx, id: incidentID)
    }

    /// Restores exactly what the incident changed (an agent whose status someone changed since
    /// keeps that choice), closes the incident and opens its review, due 48 h later.
    static func restore(_ tx: TenantTransaction, by agent: UUID?, at now: Date) async throws -> Incident? {
        guard
            let incidentID = try await tx.queryScalar(
                UUID.self,
                """
                WITH current AS (
                    SELECT tenant_id, incident_id FROM surge_modes WHERE tenant_id = \(tx.tenantID) AND active FOR UPDATE
                )
                UPDATE surge_modes m SET active = false, auto_replies_off = false, fast_transfer = false, calm_since = NULL,
                    incident_id = NULL, changed_at = \(now)
                FROM current
                WHERE m.tenant_id = current.tenant_id
                RETURNING current.incident_id
                """
            )
        else { return nil }
        try await tx.execute(
            """
            WITH restored AS (
                UPDATE agents a SET duty_status = c.previous_status, updated_at = \(now)
                FROM incident_agent_changes c
                WHERE c.tenant_id = \(tx.tenantID) AND c.incident_id = \(incidentID) AND a.tenant_id = c.tenant_id
                  AND a.id = c.agent_id AND a.duty_status = c.applied_status
                RETURNING a.id
            )
            UPDATE incident_agent_changes c
            SET restored_at = \(now),
                kept_status = CASE WHEN c.agent_id IN (SELECT id FROM restored) THEN NULL
                                   ELSE (SELECT duty_status FROM agents WHERE tenant_id = c.tenant_id AND id = c.agent_id) END
            WHERE c.tenant_id = \(tx.tenantID) AND c.incident_id = \(incidentID)
            """
        )
        try await tx.execute(
            """
            UPDATE incidents SET ended_at = \(now), ended_by = \(agent) WHERE tenant_id = \(tx.tenantID) AND id = \(incidentID)
            """
        )
        // The review is due 48 h after the end; its deadline timer is armed with it.
        try await tx.execute(
            """
            WITH review AS (
                INSERT INTO incident_reviews (tenant_id, incident_id, due_at, updated_at)
                VALUES (\(tx.tenantID), \(incidentID), \(now.addingTimeInterval(SurgeService.reviewSeconds)), \(now))
                ON CONFLICT DO NOTHING
                RETURNING tenant_id, incident_id, due_at
            )
            INSERT INTO record_timers (tenant_id, kind, record_id, due_at)
            SELECT tenant_id, \(RecordTimerKind.incidentReview.rawValue), incident_id, due_at FROM review
            """
        )
        let supervisors = try await NotificationStore.supervisors(tx)
        try await NotificationStore.notify(
            tx,
            supervisors,
            kind: "surge_ended",
            ticket: nil,
            message: "Surge over: staffing restored. The post-incident review is due within 48 h.",
            at: now
        )
        return try await IncidentStore.fetch(tx, id: incidentID)
    }
}

enum IncidentStore {
    static let columns: PostgresQuery = """
        id, tenant_id, channel, trigger, started_at, ended_at, live_count, normal_count, ratio, baseline, actions, started_by, ended_by,
        event_id
        """

    static func fetch(_ tx: TenantTransaction, id: UUID) async throws -> Incident {
        guard
            let incident = try await tx.queryFirst(
                Incident.self,
                """
                SELECT \(columns) FROM incidents WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                """
            )
        else { throw KefuError.notFound("incident") }
        return incident
    }
}
