import Foundation

/// When an SLA clock runs and when it is due — the one description of the clocks. Ticket
/// transactions arm and disarm the clocks' timers from it (`TicketTimers`); the worker hands it
/// to `kefu_act_on_sla_timers` (sql/020), which re-checks every fired clock against the locked
/// ticket with it, so SQL holds no copy of these rules.
public struct SLAClockRule: Sendable {
    /// The clock's name; its timer kind is `sla:<name>`.
    public let clock: String
    /// The ticket column holding the due instant, and the same field of `Ticket`.
    let dueColumn: String
    let due: @Sendable (Ticket) -> Date?
    /// The statuses in which the clock runs.
    let statuses: Set<TicketStatus>
    /// Whether the clock stops while the ticket waits on the customer (`sla_paused_at`).
    let pauses: Bool
    /// The ticket column (and field) whose instant meets the clock, if one does.
    let metColumn: String?
    let met: @Sendable (Ticket) -> Date?

    /// Every SLA clock, in the order their timers are armed.
    public static let all: [SLAClockRule] = {
        let open = Set(TicketStatus.open)
        return [
            SLAClockRule(
                clock: "acknowledgement",
                dueColumn: "acknowledgement_due_at",
                due: \.acknowledgementDueAt,
                statuses: open,
                pauses: false,
                metColumn: "acknowledged_at",
                met: \.acknowledgedAt
            ),
            SLAClockRule(
                clock: "channel_response",
                dueColumn: "channel_response_due_at",
                due: \.channelResponseDueAt,
                statuses: open,
                pauses: true,
                metColumn: "first_response_at",
                met: \.firstResponseAt
            ),
            SLAClockRule(
                clock: "first_response",
                dueColumn: "first_response_due_at",
                due: \.firstResponseDueAt,
                statuses: open,
                pauses: true,
                metColumn: "first_response_at",
                met: \.firstResponseAt
            ),
            SLAClockRule(
                clock: "plan",
                dueColumn: "plan_due_at",
                due: \.planDueAt,
                statuses: open,
                pauses: true,
                metColumn: "plan_at",
                met: \.planAt
            ),
            SLAClockRule(
                clock: "progress",
                dueColumn: "progress_due_at",
                due: \.progressDueAt,
                statuses: open,
                pauses: true,
                metColumn: nil,
                met: { _ in nil }
            ),
            SLAClockRule(
                clock: "department",
                dueColumn: "department_due_at",
                due: \.departmentDueAt,
                statuses: [.escalated],
                pauses: false,
                metColumn: nil,
                met: { _ in nil }
            ),
            SLAClockRule(
                clock: "resolution",
                dueColumn: "resolution_due_at",
                due: \.resolutionDueAt,
                statuses: open,
                pauses: false,
                metColumn: nil,
                met: { _ in nil }
            ),
        ]
    }()

    /// The rule of the clock named `clock`.
    public static func named(_ clock: String) -> SLAClockRule? { all.first { $0.clock == clock } }

    /// The clock's due instant on `ticket`, and whether it is still running.
    public func state(of ticket: Ticket) -> (due: Date?, running: Bool) {
        let running = statuses.contains(ticket.status) && !(pauses && ticket.slaPausedAt != nil) && met(ticket) == nil
        return (due(ticket), running)
    }

    /// The rules as `kefu_act_on_sla_timers` takes them: a JSON array of
    /// `{"clock", "due", "statuses", "pauses", "met_by"}`.
    public static let document: String = JSONValue.array(
        all.map { rule in
            .object([
                "clock": .string(rule.clock), "due": .string(rule.dueColumn),
                "statuses": .array(rule.statuses.map(\.rawValue).sorted().map(JSONValue.string)),
                "pauses": .bool(rule.pauses), "met_by": rule.metColumn.map(JSONValue.string) ?? .null,
            ])
        }
    ).text
}
