import Foundation
import KefuPostgres

/// Assessments: theory, practical and the customer-rating component (the agent's CSAT over the
/// promotion window) weighted per course. A pass issues a certificate (number unique per tenant,
/// issue date, expiry); a fail requires a retake, and no certificate exists until a pass.
public struct AssessmentService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    public func assess(_ principal: Principal, enrolmentID: UUID, _ input: AssessmentInput) async throws -> AssessmentResult {
        try principal.authorize(.assessTraining)
        for (field, score) in [("theory_score", input.theoryScore), ("practical_score", input.practicalScore)] where !(0...100).contains(score) {
            throw KefuError.invalidField(field, "must be between 0 and 100")
        }
        return try await database.transaction(principal.tenantID) { tx in
            let now = clock.now()
            guard
                let enrolment = try await tx.queryFirst(
                    Enrolment.self,
                    """
                    SELECT \(TrainingService.enrolmentColumns) FROM enrolments WHERE tenant_id = \(tx.tenantID) AND id = \(enrolmentID) FOR UPDATE
                    """
                )
            else { throw KefuError.notFound("enrolment") }
            guard enrolment.status != "passed" else { throw KefuError.conflict("the agent has already passed this course") }
            let course = try require(
                try await tx.queryFirst(
                    Course.self,
                    """
                    SELECT \(TrainingService.courseColumns) FROM courses WHERE tenant_id = \(tx.tenantID) AND id = \(enrolment.courseId)
                    """
                )
            )
            let window = try await SettingsService.load(tx).settings.promotion.windowDays
            let csat = try await AgentKPIs.csat(tx, agent: enrolment.agentId, since: now.addingTimeInterval(-Double(window) * 86_400))
            let rating = csat.map { ($0 - 1) / 4 * 100 }
            // Without ratings in the window, the other two components carry the whole weight.
            let total: Double
            if let rating {
                total = input.theoryScore * course.theoryWeight + input.practicalScore * course.practicalWeight + rating * course.ratingWeight
            } else {
                let weight = course.theoryWeight + course.practicalWeight
                total = weight > 0 ? (input.theoryScore * course.theoryWeight + input.practicalScore * course.practicalWeight) / weight : 0
            }
            let passed = total >= course.passMark
            let attempt = enrolment.attempts + 1
            let assessment = try require(
                try await tx.queryFirst(
                    Assessment.self,
                    """
                    INSERT INTO assessments (tenant_id, enrolment_id, attempt, theory_score, practical_score, rating_score, total, passed,
                                             assessed_by, assessed_at)
                    VALUES (\(tx.tenantID), \(enrolmentID), \(Int32(attempt)), \(input.theoryScore), \(input.practicalScore), \(rating),
                            \(total), \(passed), \(principal.agentID), \(now))
                    RETURNING id, enrolment_id, attempt, theory_score, practical_score, rating_score, total, passed, assessed_at
                    """
                )
            )
            let updated = try require(
                try await tx.queryFirst(
                    Enrolment.self,
                    """
                    UPDATE enrolments SET attempts = \(Int32(attempt)), status = \(passed ? "passed" : "retake_required")
                    WHERE tenant_id = \(tx.tenantID) AND id = \(enrolmentID) RETURNING \(TrainingService.enrolmentColumns)
                    """
                )
            )
            var certificate: Certificate?
            if passed {
                let serial = try require(
                    try await tx.queryScalar(
                        Int.self,
                        """
                        INSERT INTO certificate_counters (tenant_id, last_number) VALUES (\(tx.tenantID), 1)
                        ON CONFLICT (tenant_id) DO UPDATE SET last_number = certificate_counters.last_number + 1 RETURNING last_number
                        """
                    )
                )
                let year = Calendar(identifier: .gregorian).component(.year, from: now)
                let number = String(format: "CERT-%04d-%06d", year, serial)
                certificate = try await tx.queryFirst(
                    Certificate.self,
                    """
                    INSERT INTO certificates (tenant_id, number, agent_id, course_id, assessment_id, issued_on, expires_on)
                    VALUES (\(tx.tenantID), \(number), \(enrolment.agentId), \(course.id), \(assessment.id),
                            (\(now) AT TIME ZONE 'UTC')::date, (\(now) AT TIME ZONE 'UTC')::date + \(Int32(course.certificateValidDays)))
                    RETURNING id, number, agent_id, course_id, issued_on::text AS issued_on, expires_on::text AS expires_on
                    """
                )
            }
            return AssessmentResult(assessment: assessment, enrolment: updated, certificate: certificate)
        }
    }
}
