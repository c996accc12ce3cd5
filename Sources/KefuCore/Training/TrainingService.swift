import Foundation
import KefuPostgres

/// Training records: plans, courses, sessions and enrolments; required materials from incidents.
public struct TrainingService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    static let courseColumns: PostgresQuery = """
        id, name, method, content_area, required_for_tier, theory_weight, practical_weight, rating_weight, pass_mark,
        certificate_valid_days, created_at
        """
    static let enrolmentColumns: PostgresQuery = "id, course_id, agent_id, session_id, status, attempts, created_at"

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    public func createPlan(_ principal: Principal, _ input: NewTrainingPlan) async throws -> TrainingPlan {
        try principal.authorize(.manageTraining)
        guard (2000...2200).contains(input.year) else { throw KefuError.invalidField("year", "must be a year between 2000 and 2200") }
        let goals = try Validate.text(input.goals, field: "goals", maxLength: 10_000)
        let areas = try input.contentAreas.enumerated().map { try Validate.choice($1, ContentArea.self, field: "content_areas[\($0)]").rawValue }
        let schedule = try (input.schedule ?? []).enumerated().map { index, item in
            guard (1...12).contains(item.month) else { throw KefuError.invalidField("schedule[\(index)].month", "must be 1–12") }
            return PlanScheduleItem(month: item.month, topic: try Validate.text(item.topic, field: "schedule[\(index)].topic"))
        }
        return try await database.transaction(principal.tenantID) { tx in
            do {
                return try require(
                    try await tx.queryFirst(
                        TrainingPlan.self,
                        """
                        INSERT INTO training_plans (tenant_id, year, goals, content_areas, schedule, created_at)
                        VALUES (\(tx.tenantID), \(Int32(input.year)), \(goals), \(areas), \(json: schedule), \(clock.now()))
                        RETURNING id, year, goals, content_areas, schedule, created_at
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("there is already a plan for \(input.year)")
            }
        }
    }

    public func plans(_ tenantID: UUID) async throws -> [TrainingPlan] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                TrainingPlan.self,
                """
                SELECT id, year, goals, content_areas, schedule, created_at FROM training_plans WHERE tenant_id = \(tenantID) ORDER BY year
                """
            )
        }
    }

    public func createCourse(_ principal: Principal, _ input: NewCourse) async throws -> Course {
        try principal.authorize(.manageTraining)
        let name = try Validate.text(input.name, field: "name")
        let method = try Validate.choice(input.method, CourseMethod.self, field: "method")
        let area = try Validate.choice(input.contentArea, ContentArea.self, field: "content_area")
        let tier = try input.requiredForTier.map { try Validate.choice($0, AgentTier.self, field: "required_for_tier") }
        if tier == .junior { throw KefuError.invalidField("required_for_tier", "must be mid or senior") }
        let weights = (input.theoryWeight ?? 0.4, input.practicalWeight ?? 0.4, input.ratingWeight ?? 0.2)
        guard [weights.0, weights.1, weights.2].allSatisfy({ (0...1).contains($0) }), abs(weights.0 + weights.1 + weights.2 - 1) < 0.0001 else {
            throw KefuError.invalidField("theory_weight", "the three weights must be between 0 and 1 and add up to 1")
        }
        let passMark = input.passMark ?? 70
        guard (0...100).contains(passMark) else { throw KefuError.invalidField("pass_mark", "must be between 0 and 100") }
        let validDays = input.certificateValidDays ?? 365
        guard (1...3650).contains(validDays) else { throw KefuError.invalidField("certificate_valid_days", "must be 1–3650") }
        return try await database.transaction(principal.tenantID) { tx in
            do {
                return try require(
                    try await tx.queryFirst(
                        Course.self,
                        """
                        INSERT INTO courses (tenant_id, name, method, content_area, required_for_tier, theory_weight, practical_weight,
                                             rating_weight, pass_mark, certificate_valid_days, created_at)
                        VALUES (\(tx.tenantID), \(name), \(method.rawValue), \(area.rawValue), \(tier?.rawValue), \(weights.0), \(weights.1),
                                \(weights.2), \(passMark), \(Int32(validDays)), \(clock.now()))
                        RETURNING \(Self.courseColumns)
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("a course named \(name) already exists")
            }
        }
    }

    public func courses(_ tenantID: UUID) async throws -> [Course] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(Course.self, "SELECT \(Self.courseColumns) FROM courses WHERE tenant_id = \(tenantID) ORDER BY name")
        }
    }

    /// Schedules a session of a course.
    public func addSession(_ principal: Principal, courseID: UUID, _ input: NewTrainingSession) async throws -> TrainingSession {
        try principal.authorize(.manageTraining)
        guard input.endsAt > input.startsAt else { throw KefuError.invalidField("ends_at", "must be after starts_at") }
        let trainer = try input.trainer.map { try Validate.text($0, field: "trainer") }
        let location = try input.location.map { try Validate.text($0, field: "location") }
        return try await database.transaction(principal.tenantID) { tx in
            try await Self.requireCourse(tx, courseID)
            return try require(
                try await tx.queryFirst(
                    TrainingSession.self,
                    """
                    INSERT INTO training_sessions (tenant_id, course_id, starts_at, ends_at, trainer, location)
                    VALUES (\(tx.tenantID), \(courseID), \(input.startsAt), \(input.endsAt), \(trainer), \(location))
                    RETURNING id, course_id, starts_at, ends_at, trainer, location
                    """
                )
            )
        }
    }

    /// Throws `notFound("course")` unless the tenant has the course.
    private static func requireCourse(_ tx: TenantTransaction, _ courseID: UUID) async throws {
        guard try await tx.queryFirst("SELECT 1 FROM courses WHERE tenant_id = \(tx.tenantID) AND id = \(courseID)") != nil else {
            throw KefuError.notFound("course")
        }
    }

    /// The course's sessions by start; `notFound` for a course the tenant does not have.
    public func sessions(_ tenantID: UUID, courseID: UUID) async throws -> [TrainingSession] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await Self.requireCourse(tx, courseID)
            return try await tx.query(
                TrainingSession.self,
                """
                SELECT id, course_id, starts_at, ends_at, trainer, location FROM training_sessions
                WHERE tenant_id = \(tenantID) AND course_id = \(courseID) ORDER BY starts_at
                """
            )
        }
    }

    /// Enrols an agent in a course (once per course; retakes reuse the enrolment).
    public func enrol(_ principal: Principal, courseID: UUID, agentID: UUID) async throws -> Enrolment {
        try principal.authorize(.manageTraining)
        return try await database.transaction(principal.tenantID) { tx in
            guard try await tx.queryFirst("SELECT 1 FROM courses WHERE tenant_id = \(tx.tenantID) AND id = \(courseID)") != nil else {
                throw KefuError.invalidField("course_id", "no such course")
            }
            _ = try await TicketAgents.requireActive(tx, agentID, field: "agent_id")
            do {
                return try require(
                    try await tx.queryFirst(
                        Enrolment.self,
                        """
                        INSERT INTO enrolments (tenant_id, course_id, agent_id, created_at) VALUES (\(tx.tenantID), \(courseID), \(agentID), \(clock.now()))
                        RETURNING \(Self.enrolmentColumns)
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("the agent is already enrolled in this course")
            }
        }
    }

    public func enrolments(_ tenantID: UUID, agentID: UUID?) async throws -> [Enrolment] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Enrolment.self,
                """
                SELECT \(Self.enrolmentColumns) FROM enrolments
                WHERE tenant_id = \(tenantID) AND (\(agentID)::uuid IS NULL OR agent_id = \(agentID)) ORDER BY created_at, id
                """
            )
        }
    }

    public func certificates(_ tenantID: UUID, agentID: UUID?) async throws -> [Certificate] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Certificate.self,
                """
                SELECT id, number, agent_id, course_id, issued_on::text AS issued_on, expires_on::text AS expires_on FROM certificates
                WHERE tenant_id = \(tenantID) AND (\(agentID)::uuid IS NULL OR agent_id = \(agentID)) ORDER BY issued_on, number
                """
            )
        }
    }

    /// Emergency-issue lists of submitted post-incident reviews: required material for the next plan.
    public func materials(_ tenantID: UUID) async throws -> [TrainingMaterial] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                """
                SELECT incident_id, submitted_at, emergency_issues::text AS issues FROM incident_reviews
                WHERE tenant_id = \(tenantID) AND submitted_at IS NOT NULL ORDER BY submitted_at
                """
            ).flatMap { row -> [TrainingMaterial] in
                let issues = try JSONDecoder().decode([[String: String]].self, from: Data(try row.decode(String.self, "issues").utf8))
                return try issues.compactMap { issue in
                    guard let title = issue["title"] else { return nil }
                    return TrainingMaterial(
                        incidentId: try row.decode(UUID.self, "incident_id"),
                        reviewedAt: try row.decode(Date.self, "submitted_at"),
                        title: title,
                        detail: issue["detail"]
                    )
                }
            }
        }
    }
}
