import Foundation
import KefuPostgres

/// What the customer's survey page needs before an answer: whose survey it is, in which
/// language, and whether it can still be answered.
public struct SurveyInvitation: Sendable, Equatable {
    /// Whether the survey takes an answer.
    public enum State: String, Sendable {
        case open, answered, expired
    }

    public var tenantName: String
    public var locale: TextLocale
    public var state: State

    public init(tenantName: String, locale: TextLocale, state: State) {
        self.tenantName = tenantName
        self.locale = locale
        self.state = state
    }
}

extension SurveyService {
    /// The survey `token` opens. Unknown tokens are 404, a suspended tenant's 403 (as `answer`).
    public func invitation(token: String) async throws -> SurveyInvitation {
        let tenantID = try await tenant(ofToken: token)
        return try await database.transaction(tenantID, readOnly: true) { tx in
            let profile = try await SettingsService.load(tx)
            guard
                let survey = try await tx.queryFirst(
                    Survey.self,
                    """
                    SELECT \(SurveyStore.columns) FROM surveys WHERE tenant_id = \(tenantID) AND token_hash = \(SurveyStore.hash(token))
                    """
                )
            else { throw KefuError.notFound("survey") }
            let state: SurveyInvitation.State =
                if survey.answeredAt != nil {
                    .answered
                } else if survey.expiredAt != nil || clock.now() >= survey.expiresAt {
                    .expired
                } else {
                    .open
                }
            return SurveyInvitation(tenantName: profile.name, locale: TextLocale(setting: profile.settings.locale), state: state)
        }
    }
}
