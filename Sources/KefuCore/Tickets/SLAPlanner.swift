import Foundation

/// The due instants of a ticket's SLA clocks.
public struct SLAClocks: Sendable, Equatable {
    /// One minute after intake (`Acknowledgement`).
    public var acknowledgementDueAt: Date?
    /// The channel's own first-reply target (chat 30 s, complaint 5 min, email / form 1 working day).
    public var channelResponseDueAt: Date?
    /// The policy's first-response target (P1 10 min … P4 24 h by default).
    public var firstResponseDueAt: Date?
    /// The policy's plan / workaround target (P1 2 h, P2 4 h by default).
    public var planDueAt: Date?
    /// The customer's expected resolution time, else the policy's resolution target.
    public var resolutionDueAt: Date?
    /// Whether `resolutionDueAt` was taken from the policy because the customer gave none.
    public var resolutionDefaulted: Bool
}

/// Pure SLA arithmetic: the policy's targets count on its calendar (business hours, or wall time
/// for a 24x7 policy or channel); the channel's own targets count on the channel's calendar; a
/// pause shifts every open clock by exactly the business time paused.
public enum SLAPlanner {
    /// The clocks a ticket starts with at `createdAt`. `clockCalendar` is the policy's calendar,
    /// `channelCalendar` the channel's service hours.
    public static func initialClocks(
        createdAt: Date,
        policy: SLAPolicy,
        channel: TicketChannel,
        category: TicketCategory,
        sla: SLASettings,
        clockCalendar: BusinessCalendar,
        channelCalendar: BusinessCalendar,
        expectedResolutionAt: Date?
    ) -> SLAClocks {
        let channelDue = channelResponseDue(createdAt: createdAt, channel: channel, category: category, sla: sla, calendar: channelCalendar)
        let targets = policyClocks(createdAt: createdAt, policy: policy, calendar: clockCalendar)
        return SLAClocks(
            acknowledgementDueAt: createdAt.addingTimeInterval(Acknowledgement.dueSeconds),
            channelResponseDueAt: channelDue,
            firstResponseDueAt: targets.firstResponse,
            planDueAt: targets.plan,
            resolutionDueAt: expectedResolutionAt ?? targets.resolution,
            resolutionDefaulted: expectedResolutionAt == nil && targets.resolution != nil
        )
    }

    /// The channel's own first-reply target for a ticket taken in at `createdAt`, on the channel's
    /// `calendar`: a complaint's first feedback, a chat's first answer, an email's or form's
    /// working day; nil for other channels.
    public static func channelResponseDue(
        createdAt: Date,
        channel: TicketChannel,
        category: TicketCategory,
        sla: SLASettings,
        calendar: BusinessCalendar
    ) -> Date? {
        if category == .complaint {
            return calendar.adding(businessSeconds: minutes(sla.complaintFirstFeedbackMinutes), to: createdAt)
        } else if channel == .chat {
            return calendar.adding(businessSeconds: TimeInterval(sla.chatFirstResponseSeconds), to: createdAt)
        } else if channel == .email || channel == .webForm {
            return calendar.addingWorkingDays(sla.emailFirstResponseWorkingDays, to: createdAt)
        }
        return nil
    }

    /// The due instants of `policy`'s first-response, plan and resolution targets for a ticket
    /// taken in at `createdAt` (nil where the policy has no target).
    public static func policyClocks(
        createdAt: Date,
        policy: SLAPolicy,
        calendar: BusinessCalendar
    ) -> (firstResponse: Date?, plan: Date?, resolution: Date?) {
        func after(_ minutes: Int) -> Date? {
            minutes > 0 ? calendar.adding(businessSeconds: Self.minutes(minutes), to: createdAt) : nil
        }
        return (after(policy.firstResponseMinutes), after(policy.planMinutes), after(policy.resolutionMinutes))
    }

    /// When the next progress update is due after a public update at `instant`.
    public static func progressDue(after instant: Date, policy: SLAPolicy, calendar: BusinessCalendar) -> Date? {
        calendar.adding(businessSeconds: minutes(policy.progressMinutes), to: instant)
    }

    /// A deadline `minutes` of business time from `instant` (department replies, hand-backs).
    public static func deadline(minutes: Int, from instant: Date, calendar: BusinessCalendar) -> Date? {
        calendar.adding(businessSeconds: Self.minutes(minutes), to: instant)
    }

    /// `minutes` as seconds, computed in floating point: a client's number never traps on
    /// overflow (settings and policies are bounded; this is the second line of defence).
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
