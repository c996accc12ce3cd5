import Foundation

/// Which time an SLA policy's clocks count.
public enum SLACalendar: String, Codable, Sendable, CaseIterable {
    /// The tenant's promised service hours (`business_hours`, `holidays`), unless the ticket's
    /// channel is served around the clock (`always_open_channels`).
    case businessHours = "business_hours"
    /// Around the clock: business time is elapsed time.
    case allDay = "24x7"
}

/// A tenant's service-level targets for one priority, optionally for one customer segment
/// (VIP, enterprise contract): the minutes each clock may run and the calendar they count on.
public struct SLAPolicy: Codable, Sendable, Equatable {
    public var priority: TicketPriority
    /// The customer segment the policy is for; nil for every segment without a policy of its own.
    public var segment: CustomerSegment?
    public var calendar: SLACalendar
    /// First response to the customer.
    public var firstResponseMinutes: Int
    /// A plan or temporary solution; 0 for no target.
    public var planMinutes: Int
    /// The longest time between two public updates while the ticket is open.
    public var progressMinutes: Int
    /// Resolution; the customer's expected time defaults to it. 0 for no target.
    public var resolutionMinutes: Int

    public init(
        priority: TicketPriority,
        segment: CustomerSegment? = nil,
        calendar: SLACalendar,
        firstResponseMinutes: Int,
        planMinutes: Int,
        progressMinutes: Int,
        resolutionMinutes: Int
    ) {
        self.priority = priority
        self.segment = segment
        self.calendar = calendar
        self.firstResponseMinutes = firstResponseMinutes
        self.planMinutes = planMinutes
        self.progressMinutes = progressMinutes
        self.resolutionMinutes = resolutionMinutes
    }

    /// The accepted range of each target, in minutes (a year at most: no clock may reach time
    /// arithmetic unbounded). `docs/openapi.yaml` (`SLAPolicy`) states the same ranges.
    public static let ranges: [(field: String, range: ClosedRange<Int>, value: @Sendable (SLAPolicy) -> Int)] = [
        ("first_response_minutes", 1...43_200, \.firstResponseMinutes),
        ("plan_minutes", 0...43_200, \.planMinutes),
        ("progress_minutes", 1...10_080, \.progressMinutes),
        ("resolution_minutes", 0...525_600, \.resolutionMinutes),
    ]

    /// Throws `invalidField` (`<prefix>first_response_minutes`, …) for a target outside its range.
    public func validate(field prefix: String) throws {
        for (field, range, value) in Self.ranges where !range.contains(value(self)) {
            throw KefuError.invalidField(prefix + field, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
    }

    /// The calendar this policy's clocks count on over `channel`, the channel's calendar (the
    /// tenant's hours, or wall time for an always-open channel): wall time when the policy says
    /// 24x7, else the channel's.
    public func clockCalendar(over channel: BusinessCalendar) -> BusinessCalendar {
        calendar == .allDay ? .alwaysOpen(timezone: channel.timezone) : channel
    }
}
