import Foundation
import KefuPostgres

/// Reading and working the problem feedback forms: the list (filters, keyset pages), one report,
/// and the edit that fills in the form and moves it along `ProblemReportLifecycle`. Filing is
/// done at resolution (`AfterResolution`), the missed deadline by the worker (`RecordTimerActions`).
public struct ProblemReportService: Sendable {
    /// A report must be submitted within 24 h of being filed.
    static let submissionSeconds: TimeInterval = 24 * 3600

    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Reports oldest first, by `(created_at, id)`.
    public func list(_ tenantID: UUID, filter: ProblemReportFilter, page: PageRequest) async throws -> Page<ProblemReport> {
        var conditions: PostgresQuery = "tenant_id = \(tenantID)"
        if !filter.statuses.isEmpty { conditions.append(" AND status = ANY (\(filter.statuses.map(\.rawValue)))") }
        if let overdue = filter.overdue { conditions.append(overdue ? " AND overdue_at IS NOT NULL" : " AND overdue_at IS NULL") }
        if let tag = filter.tagId { conditions.append(" AND tag_id = \(tag)") }
        if let department = filter.departmentId { conditions.append(" AND department_id = \(department)") }
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                ProblemReport.self,
                "SELECT \(ProblemReportStore.columns) FROM problem_reports WHERE \(conditions)\(page.keysetCondition)\(page.orderAndLimit)"
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> ProblemReport {
        try await database.transaction(tenantID, readOnly: true) { tx in try await ProblemReportStore.fetch(tx, id: id) }
    }

    /// Fills in the form (only while the report is `open`: 409 after) and/or moves its status one
    /// step (409 otherwise). Submitting needs the problem, the suggested fix and the department
    /// (422 naming the first missing one), meets the 24 h deadline (its timer finishes) and tells
    /// the department's active members. Checked in this order: the caller's role for the step
    /// (403), the report (404), the state (409), the values (422); then one UPDATE.
    public func update(_ principal: Principal, id: UUID, _ update: ProblemReportUpdate) async throws -> ProblemReport {
        let input = try ValidatedProblemReportUpdate(update)
        try principal.authorize(.fileProblemReport)
        if let target = input.status { try principal.authorize(ProblemReportLifecycle.authority(to: target)) }
        return try await database.transaction(principal.tenantID) { tx in
            let now = clock.now()
            let current = try await ProblemReportStore.fetch(tx, id: id, forUpdate: true)
            if input.editsForm && current.status != .open {
                throw KefuError.conflict("only an open problem report is edited; this one is \(current.status.rawValue)")
            }
            if let target = input.status { try ProblemReportLifecycle.check(from: current.status, to: target) }
            try await Self.requireReferences(tx, input)
            let problem = input.problem ?? current.problem
            let suggestedFix = input.suggestedFix ?? current.suggestedFix
            let department = input.departmentId.map(\.value) ?? current.departmentId
            let step = input.status.flatMap { $0 == current.status ? nil : $0 }
            if step == .submitted,
                let missing = ProblemReportLifecycle.missingForSubmission(problem: problem, suggestedFix: suggestedFix, departmentId: department)
            {
                throw KefuError.invalidField(missing, "is required to submit the report")
            }
            let stepName = step?.rawValue
            try await tx.execute(
                """
                UPDATE problem_reports SET
                    problem = \(problem), suggested_fix = \(suggestedFix), department_id = \(department),
                    occurrences = COALESCE(\(input.occurrences), occurrences), ticket_ids = COALESCE(\(input.ticketIds), ticket_ids),
                    affected_customers = COALESCE(\(input.affectedCustomers), affected_customers),
                    status = COALESCE(\(stepName), status),
                    submitted_at = CASE WHEN \(stepName) = 'submitted' THEN \(now) ELSE submitted_at END,
                    submitted_by = CASE WHEN \(stepName) = 'submitted' THEN \(principal.agentID) ELSE submitted_by END,
                    accepted_at = CASE WHEN \(stepName) = 'accepted' THEN \(now) ELSE accepted_at END,
                    accepted_by = CASE WHEN \(stepName) = 'accepted' THEN \(principal.agentID) ELSE accepted_by END,
                    done_at = CASE WHEN \(stepName) = 'done' THEN \(now) ELSE done_at END,
                    done_by = CASE WHEN \(stepName) = 'done' THEN \(principal.agentID) ELSE done_by END,
                    updated_at = \(now)
                WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                """
            )
            if step == .submitted, let department {
                try await tx.execute(RecordTimers.finishQuery(tx, .problemReport, record: id, at: now))
                let members = try await tx.query(
                    """
                    SELECT id FROM agents WHERE tenant_id = \(tx.tenantID) AND department_id = \(department) AND active
                      AND role <> 'integration'
                    """
                ).map { try $0.decode(UUID.self, "id") }
                try await NotificationStore.notify(
                    tx,
                    members,
                    kind: "problem_report_submitted",
                    ticket: nil,
                    message: "Problem report \(id.uuidString.lowercased()) (\(current.tagName)) was submitted to your department",
                    at: now
                )
            }
            return try await ProblemReportStore.fetch(tx, id: id)
        }
    }

    /// The department and tickets the edit names exist in the tenant (422 naming the field).
    private static func requireReferences(_ tx: TenantTransaction, _ input: ValidatedProblemReportUpdate) async throws {
        if let department = input.departmentId?.value {
            let found = try await tx.queryScalar(
                Bool.self,
                "SELECT EXISTS (SELECT 1 FROM departments WHERE tenant_id = \(tx.tenantID) AND id = \(department))"
            )
            guard found == true else { throw KefuError.invalidField("department_id", "no such department") }
        }
        guard let ids = input.ticketIds, !ids.isEmpty else { return }
        let known = Set(
            try await tx.query("SELECT id FROM tickets WHERE tenant_id = \(tx.tenantID) AND id = ANY (\(ids))").map {
                try $0.decode(UUID.self, "id")
            }
        )
        if let index = ids.firstIndex(where: { !known.contains($0) }) {
            throw KefuError.invalidField("ticket_ids[\(index)]", "no such ticket")
        }
    }
}
