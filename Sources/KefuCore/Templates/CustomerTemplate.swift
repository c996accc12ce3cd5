/// Every text Kefu writes to or records for a customer, by name: THE registry. Adding a text is
/// one case here and its entry in `definition` (variables and the built-in zh-CN and en texts);
/// `GET /v1/templates` lists them, tenants override them per language, `CustomerTexts` renders.
///
/// Texts are mustache (`{{name}}`, `{{#name}}…{{/name}}` when present, `{{^name}}…{{/name}}` when
/// absent), written as plain text (nothing is HTML-escaped). Times arrive already written in the
/// tenant's time zone and language (`LocalTimeText`).
public enum CustomerTemplate: String, Sendable, CaseIterable, Codable {
    /// The first acknowledgement at intake.
    case acknowledgement
    /// The automatic reply outside the service hours the ticket's clocks count on.
    case outOfHours = "out_of_hours"
    /// Told when the ticket is transferred to another agent.
    case transferNotice = "transfer_notice"
    /// Told when the ticket is escalated to a department.
    case escalationNotice = "escalation_notice"
    /// Told on a duplicate when it is merged into another ticket of the same customer.
    case mergeNotice = "merge_notice"
    /// An agent's progress update (`POST /v1/tickets/{id}/progress`): it meets the progress clock.
    case progressNotice = "progress_notice"
    /// Told at resolution: the satisfaction survey is open until its deadline.
    case surveyInvitation = "survey_invitation"
    /// Told when a plan is ready for the customer's confirmation (at once, or on approval).
    case planConfirmation = "plan_confirmation"

    /// A template's variables and built-in texts.
    public struct Definition: Sendable {
        /// The variables the template may use, each with what it holds.
        public var variables: [String: String]
        public var zhCN: String
        public var en: String
    }

    /// The one list of templates, their variables and built-in texts.
    public var definition: Definition {
        switch self {
        case .acknowledgement:
            Definition(
                variables: ["ticket_reference": "the ticket's reference, e.g. T-000123"],
                zhCN: "已收到问题，正在为您处理",
                en: "We have received your request and are working on it."
            )
        case .outOfHours:
            Definition(
                variables: [
                    "ticket_reference": "the ticket's reference",
                    "opening_time": "when a person will answer (local time); absent when no opening is known",
                    "articles": "titles of suggested knowledge-base articles, joined by \"; \"; absent when none",
                ],
                zhCN: "感谢您的联系。{{#opening_time}}当前为非服务时间，客服将于{{opening_time}}起为您服务。{{/opening_time}}"
                    + "{{^opening_time}}我们已收到您的问题，将尽快回复。{{/opening_time}}{{#articles}}您可以先参考以下文章：{{articles}}。{{/articles}}",
                en: "Thank you for contacting us. {{#opening_time}}Our team is offline right now; an agent will answer you from "
                    + "{{opening_time}}.{{/opening_time}}{{^opening_time}}We have received your request and will reply as soon as "
                    + "possible.{{/opening_time}}{{#articles}} Meanwhile these articles may help: {{articles}}.{{/articles}}"
            )
        case .transferNotice:
            Definition(
                variables: ["ticket_reference": "the ticket's reference", "agent_name": "the agent who takes over"],
                zhCN: "您的问题已转交给同事{{agent_name}}，将继续为您处理。",
                en: "Your colleague {{agent_name}} will continue to help you."
            )
        case .escalationNotice:
            Definition(
                variables: [
                    "ticket_reference": "the ticket's reference",
                    "department_name": "the department",
                    "expected_time": "when the department is due to answer (local time); absent when it has no deadline",
                ],
                zhCN: "您的问题已提交给{{department_name}}团队处理。{{#expected_time}}预计将于{{expected_time}}前答复您。{{/expected_time}}",
                en: "We have passed your request to our {{department_name}} team.{{#expected_time}} We expect an answer by "
                    + "{{expected_time}}.{{/expected_time}}"
            )
        case .mergeNotice:
            Definition(
                variables: [
                    "ticket_reference": "the duplicate's reference",
                    "target_reference": "the reference of the ticket it was merged into, where the conversation goes on",
                ],
                zhCN: "您的问题已合并至工单{{target_reference}}，我们将在该工单中继续为您处理。",
                en: "Your request has been merged into {{target_reference}}; we will continue to help you there."
            )
        case .progressNotice:
            Definition(
                variables: [
                    "ticket_reference": "the ticket's reference",
                    "note": "what the agent adds about the progress; absent when they add nothing",
                    "next_update": "when the next update will come at the latest (local time); absent when no progress clock runs",
                ],
                zhCN: "您的问题（工单{{ticket_reference}}）正在处理中。{{#note}}\n最新进展：{{note}}{{/note}}"
                    + "{{#next_update}}\n我们将不晚于{{next_update}}向您更新处理进展。{{/next_update}}",
                en: "We are working on your request {{ticket_reference}}.{{#note}}\nLatest progress: {{note}}{{/note}}"
                    + "{{#next_update}}\nYou will hear from us again by {{next_update}} at the latest.{{/next_update}}"
            )
        case .surveyInvitation:
            Definition(
                variables: [
                    "ticket_reference": "the ticket's reference",
                    "deadline": "when the satisfaction survey closes (local time)",
                ],
                zhCN: "您的问题（工单{{ticket_reference}}）已处理完毕。诚邀您对本次服务进行评价，评价通道将于{{deadline}}关闭。感谢您的反馈！",
                en: "Your request {{ticket_reference}} has been resolved. Please rate our service before {{deadline}}, "
                    + "when the survey closes. Thank you for your feedback!"
            )
        case .planConfirmation:
            Definition(
                variables: [
                    "ticket_reference": "the ticket's reference",
                    "measures": "the measures of the plan",
                    "complete_by": "when the plan will be carried out (local time); absent when the plan names no time",
                    "compensation": "the compensation offered, e.g. \"voucher 50 CNY\"; absent when none",
                ],
                zhCN: "关于工单{{ticket_reference}}，我们为您制定的处理方案如下：{{measures}}"
                    + "{{#complete_by}}\n预计完成时间：{{complete_by}}{{/complete_by}}{{#compensation}}\n补偿：{{compensation}}{{/compensation}}"
                    + "\n请回复确认该方案，确认后我们将立即执行。",
                en: "Here is our plan for your request {{ticket_reference}}: {{measures}}"
                    + "{{#complete_by}}\nCompleted by: {{complete_by}}{{/complete_by}}{{#compensation}}\nCompensation: {{compensation}}"
                    + "{{/compensation}}\nPlease reply to confirm the plan; we will carry it out once you do."
            )
        }
    }

    /// The built-in text in `locale`.
    public func builtIn(_ locale: TextLocale) -> String {
        switch locale {
        case .zhCN: definition.zhCN
        case .en: definition.en
        }
    }

    /// The names of the variables the template may use.
    public var variableNames: Set<String> { Set(definition.variables.keys) }
}
