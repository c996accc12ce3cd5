import Foundation

/// The due instants of a ticket's SLA clocks.
public struct SLAClocks: Sendable, Equatable {
    /// The channel's own first-reply target (chat 30 s, complaint 5 min, email / form 1 working day).
    public var channelResponseDueAt: Date?
    /// The priority's first-response target (P1 10 min … P4 24 h).
    public var firstResponseDueAt: Date?
    /// The plan / workaround target (P1 2 h, P2 4 h).
    public var planDueAt: Date?
    /// The customer's expected resolution time, when given.
    public var resolutionDueAt: Date?
}

/// Pure SLA arithmetic: targets are business time on the channel's calendar (wall time on an
/// always-open channel), and a pause shifts every open clock by exactly the business time paused.
public enum SLAPlanner {
    /// The clocks a ticket starts with.
    public static func initialClocks(
        createdAt: Date,
        priority: TicketPriority,
        channel: TicketChannel,
        category: TicketCategory,
        sla: SLASettings,
        calendar: BusinessCalendar,
        expectedResolutionAt: Date?
    ) -> SLAClocks {
        func after(_ seconds: TimeInterval) -> Date? {
            seconds > 0 ? calendar.adding(businessSeconds: seconds, to: createdAt) : nil
        }
        var channelDue: Date?
        if category == .complaint {
            channelDue = after(minutes(sla.complaintFirstFeedbackMinutes))
        } else if channel == .chat {
            channelDue = after(TimeInterval(sla.chatFirstResponseSeconds))
        } else if channel == .email || channel == .webForm {
            channelDue = calendar.addingWorkingDays(sla.emailFirstResponseWorkingDays, to: createdAt)
        }
        return SLAClocks(
            channelResponseDueAt: channelDue,
            firstResponseDueAt: after(minutes(sla.firstResponseMinutes[priority.rawValue])),
            planDueAt: after(minutes(sla.planMinutes[priority.rawValue])),
            resolutionDueAt: expectedResolutionAt
        )
    }

    /// When the next progress update is due after a public update at `instant`.
    public static func progressDue(after instant: Date, sla: SLASettings, calendar: BusinessCalendar) -> Date? {
        calendar.adding(businessSeconds: minutes(sla.progressUpdateMinutes), to: instant)
    }

    /// A deadline `minutes` of business time from `instant` (department replies, hand-backs).
    public static func deadline(minutes: Int, from instant: Date, calendar: BusinessCalendar) -> Date? {
        calendar.adding(businessSeconds: Self.minutes(minutes), to: instant)
    }

    /// `minutes` as seconds, computed in floating point: a client's number never traps on
    /// overflow (settings are bounded by `SettingRanges`; this is the second line of defence).
    static func minutes(_ minutes: Int) -> TimeInterval {
        TimeInterval(minutes) * 60
    }

    /// A clock paused at `pausedAt` and resumed at `resumedAt` keeps the business time it had
    /// left. A clock already overdue when paused stays where it was.
    public static func resumed(_ due: Date?, pausedAt: Date, resumedAt: Date, calendar: BusinessCalendar) -> Date? {
        guard let due, due > pausedAt else { return due }
        let remaining = calendar.businessSeconds(from: pausedAt, to: due)
        return calendar.adding(businessSeconds: remaining, to: resumedAt) ?? due
    }
}
