import Foundation
import KefuPostgres

/// A satisfaction survey of a resolved ticket.
public struct Survey: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketId: UUID
    public var createdAt: Date
    public var expiresAt: Date
    public var answeredAt: Date?
    public var expiredAt: Date?
    public var overall: Int?
    public var timeliness: Int?
    public var professionalism: Int?
    public var resolution: Int?
    public var attitude: Int?
    public var comment: String?
}

/// The customer's answer: overall 1–5 and the four dimensions.
public struct SurveyAnswer: Codable, Sendable {
    public var overall: Int
    public var timeliness: Int
    public var professionalism: Int
    public var resolution: Int
    public var attitude: Int
    public var comment: String?

    /// Longest comment, in characters (Unicode code points).
    public static let commentMaxLength = 5000

    public init(overall: Int, timeliness: Int, professionalism: Int, resolution: Int, attitude: Int, comment: String? = nil) {
        self.overall = overall
        self.timeliness = timeliness
        self.professionalism = professionalism
        self.resolution = resolution
        self.attitude = attitude
        self.comment = comment
    }
}

enum SurveyStore {
    static let columns: PostgresQuery = """
        id, ticket_id, created_at, expires_at, answered_at, expired_at, overall, timeliness, professionalism,
        resolution, attitude, comment
        """

    /// Invites the customer to rate a just-resolved ticket (a fresh token each resolution) and
    /// returns the token, which is stored only as its SHA-256.
    static func invite(_ tx: TenantTransaction, ticket: UUID, settings: TenantSettings, at now: Date) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let token = String((0..<tokenLength).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        let expires = settings.survey.closes(after: now)
        try await tx.execute(
            """
            INSERT INTO surveys (tenant_id, ticket_id, token_hash, created_at, expires_at)
            VALUES (\(tx.tenantID), \(ticket), \(hash(token)), \(now), \(expires))
            """
        )
        try await TicketTimers.arm(tx, ticket: ticket, kind: TimerKind.surveyExpiry, due: expires)
        try await TicketStore.record(tx, ticket: ticket, actor: .system, kind: "survey_invited", after: ["expires_at": .date(expires)], at: now)
        return token
    }

    static let tokenLength = 32

    /// Links the survey just opened with `token` to its invitation (the ticket's latest public
    /// message from Kefu) and, when the deployment has a key, keeps the token sealed with it: the
    /// emailed invitation carries the survey page's link (`EmailDraft`). Never in plain.
    static func sealForInvitation(_ tx: TenantTransaction, token: String, ticket: UUID, secrets: SecretBox?) async throws {
        let sealed = try secrets?.seal(token)
        try await tx.execute(
            """
            UPDATE surveys SET token_sealed = \(sealed),
                invitation_message_id = (SELECT m.id FROM ticket_messages m
                                         WHERE m.tenant_id = \(tx.tenantID) AND m.ticket_id = \(ticket)
                                           AND m.author_kind = 'system' AND m.visibility = 'public'
                                         ORDER BY m.seq DESC LIMIT 1)
            WHERE tenant_id = \(tx.tenantID) AND token_hash = \(hash(token))
            """
        )
    }

    /// What is stored of a token.
    static func hash(_ token: String) -> Data { Data(SHA256.hash(Array(token.utf8))) }

    /// The ticket's latest survey.
    static func latest(_ tx: TenantTransaction, ticket: UUID) async throws -> Survey? {
        try await tx.queryFirst(
            Survey.self,
            """
            SELECT \(columns) FROM surveys WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket)
            ORDER BY created_at DESC LIMIT 1
            """
        )
    }
}

/// Surveys: the agents' view and the customer's single-use answer (no API key: the token is the credential).
public struct SurveyService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let actions: TicketActionService

    public init(database: TenantDatabase, clock: any KefuClock, actions: TicketActionService) {
        self.database = database
        self.clock = clock
        self.actions = actions
    }

    /// The ticket's latest survey (without its token: that is shown once, when the ticket is resolved).
    public func forTicket(_ tenantID: UUID, ticketID: UUID) async throws -> Survey {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            guard let survey = try await SurveyStore.latest(tx, ticket: ticketID) else { throw KefuError.notFound("survey") }
            return survey
        }
    }

    /// The tenant whose survey `token` opens (the token alone decides it). Unknown tokens are
    /// 404; a suspended tenant's surveys are refused like its keys.
    func tenant(ofToken token: String) async throws -> UUID {
        guard token.count == SurveyStore.tokenLength,
            let owner = try await database.pool.queryFirst(
                "SELECT tenant_id, tenant_status FROM kefu_survey_tenant(\(SurveyStore.hash(token)))"
            )
        else {
            throw KefuError.notFound("survey")
        }
        guard try owner.decode(String.self, "tenant_status") == TenantStatus.active.rawValue else { throw KefuError.tenantSuspended }
        return try owner.decode(UUID.self, "tenant_id")
    }

    /// Records the customer's rating. Unknown tokens are 404; answered or expired ones 409. A low
    /// overall rating reopens the ticket for second handling and escalates it to a supervisor.
    public func answer(token: String, _ input: SurveyAnswer) async throws -> Survey {
        for (field, value) in [
            ("overall", input.overall), ("timeliness", input.timeliness), ("professionalism", input.professionalism),
            ("resolution", input.resolution), ("attitude", input.attitude),
        ] where !(1...5).contains(value) {
            throw KefuError.invalidField(field, "must be between 1 and 5")
        }
        let comment = try input.comment.map { try Validate.text($0, field: "comment", maxLength: SurveyAnswer.commentMaxLength) }
        let tokenHash = SurveyStore.hash(token)
        let tenantID = try await tenant(ofToken: token)
        return try await database.transaction(tenantID) { tx in
            let now = clock.now()
            guard
                let survey = try await tx.queryFirst(
                    Survey.self,
                    """
                    SELECT \(SurveyStore.columns) FROM surveys WHERE tenant_id = \(tenantID) AND token_hash = \(tokenHash) FOR UPDATE
                    """
                )
            else { throw KefuError.notFound("survey") }
            guard survey.answeredAt == nil else { throw KefuError.conflict("this survey has already been answered") }
            guard survey.expiredAt == nil, now < survey.expiresAt else { throw KefuError.conflict("this survey has expired") }
            let answered = try require(
                try await tx.queryFirst(
                    Survey.self,
                    """
                    UPDATE surveys SET answered_at = \(now), overall = \(Int32(input.overall)), timeliness = \(Int32(input.timeliness)),
                        professionalism = \(Int32(input.professionalism)), resolution = \(Int32(input.resolution)),
                        attitude = \(Int32(input.attitude)), comment = \(comment)
                    WHERE tenant_id = \(tenantID) AND id = \(survey.id)
                    RETURNING \(SurveyStore.columns)
                    """
                )
            )
            try await TicketStore.record(
                tx,
                ticket: survey.ticketId,
                actor: .customer,
                kind: "survey_answered",
                after: ["overall": .number(Double(input.overall))],
                at: now
            )
            let profile = try await SettingsService.load(tx)
            if input.overall <= profile.settings.survey.lowRatingThreshold {
                _ = try await actions.mutate(tx, survey.ticketId, .secondHandling, by: .customer, commit: false) { tx, _, _ in
                    .secondHandling(LowRating(overall: input.overall, supervisors: try await NotificationStore.supervisors(tx)))
                }
            }
            return answered
        }
    }
}
