import Foundation
import KefuPostgres

/// Email deliveries: the tenant's relay (else the deployment's), the draft rendered at the first
/// attempt and kept (`EmailDraft`), the survey link added from the sealed token, the MIME message
/// sent over SMTP. A 5xx answer is final (dead at once, the server's text kept); 4xx answers,
/// timeouts and dropped connections are retried like webhooks.
extension DeliverySweeper {
    /// The `target_kind` of email deliveries.
    static let emailTarget = "email"

    func attemptEmail(_ delivery: Claimed) async throws -> Outcome {
        let startedAt = clock.now()
        let start = ContinuousClock.now
        let draft: EmailDraft
        let relay: MailRelay
        let tenantRelay: Bool
        let link: String?
        do {
            (relay, tenantRelay, draft, link) = try await prepareEmail(delivery)
        } catch let gone as WebhookPayload.SourceGone {
            return try await record(delivery, startedAt: startedAt, latency: 0, status: nil, error: gone.description, final: true)
        } catch let failure as MailFailure {
            return try await record(delivery, startedAt: startedAt, latency: 0, status: nil, error: failure.message, final: false)
        }
        var failure: MailFailure?
        do {
            guard let mail else { throw MailFailure(code: nil, message: "this worker has no mail transport", permanent: false) }
            // A tenant's relay is held to the webhooks' public-address rule; the deployment's is the operator's.
            if tenantRelay { try await targets.checkHost(relay.host, field: "host") }
            try await mail.send(
                from: relay.fromAddress,
                to: [draft.to],
                message: draft.message(link: link).rendered(),
                via: relay,
                timeout: timeout
            )
        } catch let error as MailFailure {
            failure = error
        } catch let refused as KefuError {
            failure = MailFailure(code: nil, message: "refused: \(refused.message)", permanent: false)
        } catch {
            failure = MailFailure(code: nil, message: "\(error)", permanent: false)
        }
        let elapsed = start.duration(to: .now)
        let latency = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return try await record(
            delivery,
            startedAt: startedAt,
            latency: latency,
            status: failure?.code,
            error: failure?.message,
            final: failure?.permanent ?? false
        )
    }

    /// The relay (and whether it is the tenant's own), the draft (rendered now at the first attempt and stored, else the stored one) and
    /// the survey link, in the delivery's tenant.
    private func prepareEmail(_ delivery: Claimed) async throws -> (MailRelay, Bool, EmailDraft, String?) {
        try await database.transaction(delivery.tenantID) { tx in
            let own = try await MailRelayService.relay(tx, secrets: secrets)
            guard let relay = own ?? deploymentRelay else {
                throw MailFailure(code: nil, message: "no mail relay: set KEFU_SMTP_URL or the tenant's mail relay", permanent: false)
            }
            guard
                let row = try await tx.queryFirst(
                    "SELECT source_id, body FROM deliveries WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id) FOR UPDATE"
                ),
                let messageID = try row.decode(UUID?.self, "source_id")
            else { throw WebhookPayload.SourceGone() }
            let draft: EmailDraft
            if let stored = try row.decode(String?.self, "body") {
                draft = try KefuJSON.decoder().decode(EmailDraft.self, from: Data(stored.utf8))
            } else {
                draft = try await EmailDraft.render(tx, messageID: messageID, relay: relay)
                let body = String(decoding: try KefuJSON.encoder().encode(draft), as: UTF8.self)
                try await tx.execute("UPDATE deliveries SET body = \(body) WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.id)")
            }
            return (relay, own != nil, draft, try await surveyLink(tx, draft.surveyId))
        }
    }

    /// `<KEFU_PUBLIC_URL>/s/<token>` from the survey's sealed token; nil without a survey, a
    /// public URL, a key, or a token sealed with this key (the invitation then goes without it).
    private func surveyLink(_ tx: TenantTransaction, _ survey: UUID?) async throws -> String? {
        guard let survey, let publicURL, let secrets else { return nil }
        guard
            let sealed = try await tx.queryScalar(
                Data.self,
                "SELECT token_sealed FROM surveys WHERE tenant_id = \(tx.tenantID) AND id = \(survey)"
            ),
            let token = secrets.open(sealed)
        else {
            logger.warning("survey invitation without its link: no sealed token", metadata: ["survey": "\(survey)"])
            return nil
        }
        return "\(publicURL)/s/\(token)"
    }
}
