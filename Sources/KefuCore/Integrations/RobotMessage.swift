import Foundation
import KefuPostgres

/// A robot alert as the platform's JSON message, in the tenant's language: what happened, the
/// ticket's number, priority and status (never the customer's text) and, with the deployment's
/// console URL, a link to the ticket. Rendered once per delivery; Feishu's signature is added
/// when sending (`RobotSignature`).
enum RobotMessage {
    /// The alert's title and lines.
    struct Text {
        var title: String
        var lines: [String]
    }

    static func render(_ tx: TenantTransaction, _ source: WebhookPayload.Source, kind: RobotKind, consoleURL: String?) async throws -> String {
        let profile = try await SettingsService.load(tx)
        let zh = TextLocale(setting: profile.settings.locale) == .zhCN
        let text = try await self.text(tx, source, zh: zh, consoleURL: consoleURL)
        let body: JSONValue
        switch kind {
        case .dingtalk:
            let markdown = (["### \(text.title)"] + text.lines).joined(separator: "\n\n")
            body = .object(["msgtype": .string("markdown"), "markdown": .object(["title": .string(text.title), "text": .string(markdown)])])
        case .wecom:
            let markdown = (["**\(text.title)**"] + text.lines.map { "> " + $0 }).joined(separator: "\n")
            body = .object(["msgtype": .string("markdown"), "markdown": .object(["content": .string(markdown)])])
        case .feishu:
            body = .object(["msg_type": .string("text"), "content": .object(["text": .string(([text.title] + text.lines).joined(separator: "\n"))])])
        }
        return String(decoding: try KefuJSON.encoder().encode(body), as: UTF8.self)
    }

    private static func text(_ tx: TenantTransaction, _ source: WebhookPayload.Source, zh: Bool, consoleURL: String?) async throws -> Text {
        func ticketLines() async throws -> (Ticket, [String]) {
            guard let id = source.ticketId else { throw WebhookPayload.SourceGone() }
            let ticket: Ticket
            do { ticket = try await TicketStore.fetch(tx, id: id) } catch KefuError.notFound { throw WebhookPayload.SourceGone() }
            var lines = [
                zh
                    ? "工单 \(ticket.reference)（\(ticket.priority.rawValue)，\(ticket.status.rawValue)）"
                    : "Ticket \(ticket.reference) (\(ticket.priority.rawValue), \(ticket.status.rawValue))"
            ]
            if let consoleURL { lines.append("\(consoleURL)/tickets/\(ticket.id.uuidString.lowercased())") }
            return (ticket, lines)
        }
        switch source.eventType {
        case RobotAlertType.ticketEscalated.rawValue:
            let (_, lines) = try await ticketLines()
            return Text(title: zh ? "【Kefu】工单升级" : "[Kefu] Ticket escalated", lines: lines)
        case RobotAlertType.departmentBlocked.rawValue:
            var (_, lines) = try await ticketLines()
            if let id = source.sourceId,
                let reason = try await tx.queryScalar(
                    String.self,
                    "SELECT after ->> 'reason' FROM ticket_events WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
                )
            {
                lines.append((zh ? "受阻原因：" : "Blocked by: ") + reason)
            }
            return Text(title: zh ? "【Kefu】部门处理受阻" : "[Kefu] Department blocked", lines: lines)
        case RobotAlertType.slaBreached.rawValue:
            var (_, lines) = try await ticketLines()
            if let clock = try await tx.queryScalar(
                String.self,
                "SELECT source_key ->> 'clock' FROM deliveries WHERE tenant_id = \(tx.tenantID) AND id = \(source.id)"
            ) {
                lines.append((zh ? "超时环节：" : "Missed: ") + clock)
            }
            return Text(title: zh ? "【Kefu】SLA 超时" : "[Kefu] SLA breached", lines: lines)
        case RobotAlertType.surgeStarted.rawValue, RobotAlertType.surgeEnded.rawValue:
            guard let id = source.sourceId else { throw WebhookPayload.SourceGone() }
            let incident: Incident
            do { incident = try await IncidentStore.fetch(tx, id: id) } catch KefuError.notFound { throw WebhookPayload.SourceGone() }
            let started = source.eventType == RobotAlertType.surgeStarted.rawValue
            let title =
                zh
                ? (started ? "【Kefu】进线激增，已进入应急模式" : "【Kefu】应急模式已结束")
                : (started ? "[Kefu] Surge: contingency mode on" : "[Kefu] Contingency mode ended")
            let ratio = String(format: "%.1f", incident.ratio)
            return Text(
                title: title,
                lines: [zh ? "渠道 \(incident.channel)，进线为常态的 \(ratio) 倍" : "Channel \(incident.channel), \(ratio)× the usual rate"]
            )
        default:
            throw WebhookPayload.SourceGone()
        }
    }
}
