import Foundation
import KefuPostgres
import Logging

/// Surge detection and the contingency mode: status and rates, the detector's evaluation of one
/// tenant (used by the worker), manual switches for supervisors, incidents and their reviews.
public struct SurgeService: Sendable {
    /// A post-incident review is due 48 h after the incident ends.
    static let reviewSeconds: TimeInterval = 48 * 3600

    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// The mode and the live/normal rate per channel and tenant-wide (`all`).
    public func status(_ tenantID: UUID) async throws -> SurgeStatus {
        try await database.transaction(tenantID, readOnly: true) { tx in
            let now = clock.now()
            let settings = try await SettingsService.load(tx).settings.surge
            let rates = try await Self.rates(tx, now: now, settings: settings)
            let mode = try await tx.queryFirst(
                "SELECT active, incident_id, auto_replies_off, fast_transfer FROM surge_modes WHERE tenant_id = \(tenantID)"
            )
            return SurgeStatus(
                active: try mode?.decode(Bool.self, "active") ?? false,
                incidentId: try mode?.decode(UUID?.self, "incident_id"),
                autoRepliesOff: try mode?.decode(Bool.self, "auto_replies_off") ?? false,
                fastTransfer: try mode?.decode(Bool.self, "fast_transfer") ?? false,
                rates: rates
            )
        }
    }

    static func rates(_ tx: TenantTransaction, now: Date, settings: SurgeSettings) async throws -> [SurgeRate] {
        rates(try await IntakeCounter.histories(tx, now: now), now: now, settings: settings)
    }

    /// Tenant-wide (`all`) first, then every channel with history, by name.
    static func rates(_ histories: [String: IntakeHistory], now: Date, settings: SurgeSettings) -> [SurgeRate] {
        var rates = [SurgeRates.rate(channel: "all", .combined(Array(histories.values)), now: now, settings: settings)]
        for channel in histories.keys.sorted() {
            rates.append(SurgeRates.rate(channel: channel, histories[channel]!, now: now, settings: settings))
        }
        return rates
    }

    /// What one evaluation did.
    public enum Evaluation: Equatable, Sendable {
        case unchanged
        case started(Incident)
        case calming(since: Date)
        case ended(Incident)
    }

    /// Evaluates one tenant now: triggers level-1 response on a surge (live ≥ trigger × normal
    /// with the minimum volume, any channel or tenant-wide), and restores once every rate has
    /// stayed below the exit ratio for the hold period. Manual incidents end only manually.
    /// Safe to run from several workers at once: the tenant's mode row is locked and switched
    /// with conditional updates, so each surge starts and ends exactly once.
    public func evaluate(_ tenantID: UUID) async throws -> Evaluation {
        try await database.transaction(tenantID) { tx in
            let now = clock.now()
            try await tx.execute("INSERT INTO surge_modes (tenant_id) VALUES (\(tenantID)) ON CONFLICT DO NOTHING")
            guard
                let row = try await tx.queryFirst(
                    """
                    SELECT active, calm_since, (SELECT trigger FROM incidents i WHERE i.tenant_id = m.tenant_id AND i.id = m.incident_id) AS trigger
                    FROM surge_modes m WHERE tenant_id = \(tenantID) FOR UPDATE
                    """
                )
            else { return .unchanged }
            let mode = SurgeModeState(
                active: try row.decode(Bool.self, "active"),
                calmSince: try row.decode(Date?.self, "calm_since"),
                manual: try row.decode(String?.self, "trigger") == "manual"
            )
            let settings = try await SettingsService.load(tx).settings.surge
            let rates = try await Self.rates(tx, now: now, settings: settings)
            switch SurgeDecision.next(mode, rates: rates, settings: settings, now: now) {
            case .none:
                return .unchanged
            case .start(let rate):
                return try await SurgeResponse.activate(tx, rate: rate, trigger: "detected", by: nil, at: now).map { .started($0) } ?? .unchanged
            case .resetCalm:
                try await tx.execute("UPDATE surge_modes SET calm_since = NULL WHERE tenant_id = \(tenantID)")
                return .unchanged
            case .calming(let since, let record):
                if record { try await tx.execute("UPDATE surge_modes SET calm_since = \(since) WHERE tenant_id = \(tenantID)") }
                return .calming(since: since)
            case .restore:
                return try await SurgeResponse.restore(tx, by: nil, at: now).map { .ended($0) } ?? .unchanged
            }
        }
    }

    /// A supervisor switches level-1 response on by hand (recorded as manual).
    public func activate(_ principal: Principal) async throws -> Incident {
        try principal.authorize(.switchSurge)
        return try await database.transaction(principal.tenantID) { tx in
            try await tx.execute("INSERT INTO surge_modes (tenant_id) VALUES (\(principal.tenantID)) ON CONFLICT DO NOTHING")
            let now = clock.now()
            let settings = try await SettingsService.load(tx).settings.surge
            let total = try await Self.rates(tx, now: now, settings: settings)[0]
            guard let incident = try await SurgeResponse.activate(tx, rate: total, trigger: "manual", by: principal.agentID, at: now) else {
                throw KefuError.conflict("surge mode is already on")
            }
            return incident
        }
    }

    /// A supervisor ends the mode by hand; staffing is restored exactly.
    public func deactivate(_ principal: Principal) async throws -> Incident {
        try principal.authorize(.switchSurge)
        return try await database.transaction(principal.tenantID) { tx in
            guard let incident = try await SurgeResponse.restore(tx, by: principal.agentID, at: clock.now()) else {
                throw KefuError.conflict("surge mode is not on")
            }
            return incident
        }
    }

    public func incidents(_ tenantID: UUID, page: PageRequest) async throws -> Page<Incident> {
        var after: PostgresQuery = ""
        if let cursor = page.after { after = " AND (started_at, id) > (\(cursor.createdAt), \(cursor.id))" }
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Incident.self,
                """
                SELECT \(IncidentStore.columns) FROM incidents WHERE tenant_id = \(tenantID)\(after)
                ORDER BY started_at, id LIMIT \(page.limit + 1)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.startedAt, id: $0.id) }
    }

    public func incident(_ tenantID: UUID, id: UUID) async throws -> Incident {
        try await database.transaction(tenantID, readOnly: true) { tx in try await IncidentStore.fetch(tx, id: id) }
    }

    public func review(_ tenantID: UUID, incidentID: UUID) async throws -> IncidentReview {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.review(tx, incidentID: incidentID) }
    }

    static func review(_ tx: TenantTransaction, incidentID: UUID) async throws -> IncidentReview {
        guard
            let review = try await tx.queryFirst(
                IncidentReview.self,
                """
                SELECT incident_id, due_at, foreseeable, process_stalls, emergency_issues, submitted_at, submitted_by, updated_at,
                       overdue_at
                FROM incident_reviews WHERE tenant_id = \(tx.tenantID) AND incident_id = \(incidentID)
                """
            )
        else { throw KefuError.notFound("incident review") }
        return review
    }

    /// Fills in the review; `submit` marks it done (a submitted review is no longer edited) and
    /// finishes its 48 h deadline timer.
    public func updateReview(_ principal: Principal, incidentID: UUID, _ update: IncidentReviewUpdate) async throws -> IncidentReview {
        try principal.authorize(.writeIncidentReview)
        let foreseeable = try update.foreseeable.map { try Validate.text($0, field: "foreseeable", maxLength: 10_000) }
        let stalls = try update.processStalls.map { try Validate.text($0, field: "process_stalls", maxLength: 10_000) }
        let issues = try update.emergencyIssues.map { list in
            try list.enumerated().map { index, issue in
                EmergencyIssue(
                    title: try Validate.text(issue.title, field: "emergency_issues[\(index)].title"),
                    detail: try issue.detail.map { try Validate.text($0, field: "emergency_issues[\(index)].detail", maxLength: 5000) }
                )
            }
        }
        return try await database.transaction(principal.tenantID) { tx in
            let current = try await Self.review(tx, incidentID: incidentID)
            guard current.submittedAt == nil else { throw KefuError.conflict("this review has been submitted") }
            let now = clock.now()
            let submit = update.submit == true
            try await tx.execute(
                """
                UPDATE incident_reviews SET foreseeable = COALESCE(\(foreseeable), foreseeable),
                    process_stalls = COALESCE(\(stalls), process_stalls),
                    emergency_issues = COALESCE(\(issues.map { PostgresJSON($0) }), emergency_issues),
                    submitted_at = CASE WHEN \(submit) THEN \(now) ELSE submitted_at END,
                    submitted_by = CASE WHEN \(submit) THEN \(principal.agentID) ELSE submitted_by END,
                    updated_at = \(now)
                WHERE tenant_id = \(principal.tenantID) AND incident_id = \(incidentID)
                """
            )
            if submit { try await tx.execute(RecordTimers.finishQuery(tx, .incidentReview, record: incidentID, at: now)) }
            return try await Self.review(tx, incidentID: incidentID)
        }
    }
}
