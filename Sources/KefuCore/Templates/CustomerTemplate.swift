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
