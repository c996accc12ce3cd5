import Foundation

/// A tenant's whole set of SLA policies: one without segment for each priority, plus segment
/// overrides. The one home of the targets of the first-response, plan, progress and resolution
/// clocks and of the calendar they count on.
public struct SLAPolicies: Sendable, Equatable {
    /// The policies, general ones (no segment) first, each group by priority.
    public private(set) var policies: [SLAPolicy]

    /// The defaults (SPEC §3): P1 counts around the clock — 10 min first response, 2 h temporary
    /// solution — because a payment failure on a Friday evening cannot wait for Monday; P2–P4
    /// count business hours. Progress updates every 2 h; resolution targets P1 24 h, P2 two,
    /// P3 five, P4 ten working days of 9 h.
    public static let defaults = SLAPolicies(uncheckedPolicies: TicketPriority.allCases.map(defaultPolicy))

    /// The default policy of `priority`.
    public static func defaultPolicy(for priority: TicketPriority) -> SLAPolicy {
        switch priority {
        case .p1: policy(.p1, .allDay, firstResponse: 10, plan: 120, resolution: 1_440)
        case .p2: policy(.p2, .businessHours, firstResponse: 30, plan: 240, resolution: 1_080)
        case .p3: policy(.p3, .businessHours, firstResponse: 120, plan: 0, resolution: 2_700)
        case .p4: policy(.p4, .businessHours, firstResponse: 1_440, plan: 0, resolution: 5_400)
        }
    }

    private static func policy(_ priority: TicketPriority, _ calendar: SLACalendar, firstResponse: Int, plan: Int, resolution: Int) -> SLAPolicy {
        SLAPolicy(
            priority: priority,
            calendar: calendar,
            firstResponseMinutes: firstResponse,
            planMinutes: plan,
            progressMinutes: 120,
            resolutionMinutes: resolution
        )
    }

    /// At most this many policies: one per priority and segment (and one without segment).
    public static let maximumCount = TicketPriority.allCases.count * (CustomerSegment.allCases.count + 1)

    private init(uncheckedPolicies policies: [SLAPolicy]) {
        self.policies = Self.sorted(policies)
    }

    /// A validated set: targets within `SLAPolicy.ranges`, one policy without segment for every
    /// priority, no two for the same priority and segment. Errors name the field
    /// (`policies[2].first_response_minutes`).
    public init(validating policies: [SLAPolicy]) throws {
        guard policies.count <= Self.maximumCount else {
            throw KefuError.invalidField("policies", "must have at most \(Self.maximumCount) policies")
        }
        var seen: Set<String> = []
        for (index, policy) in policies.enumerated() {
            try policy.validate(field: "policies[\(index)].")
            let key = policy.priority.rawValue + "/" + (policy.segment?.rawValue ?? "")
            guard seen.insert(key).inserted else {
                let segment = policy.segment.map { "segment \($0.rawValue)" } ?? "no segment"
                throw KefuError.invalidField("policies[\(index)]", "repeats the policy of \(policy.priority.rawValue) for \(segment)")
            }
        }
        for priority in TicketPriority.allCases where !policies.contains(where: { $0.priority == priority && $0.segment == nil }) {
            throw KefuError.invalidField("policies", "must have a policy for \(priority.rawValue) without segment")
        }
        self.init(uncheckedPolicies: policies)
    }

    /// Stored policies over the defaults: a priority without a stored general policy keeps the
    /// default one (a tenant that never wrote a set has the defaults).
    init(stored: [SLAPolicy]) {
        var policies = stored
        for priority in TicketPriority.allCases where !stored.contains(where: { $0.priority == priority && $0.segment == nil }) {
            policies.append(Self.defaultPolicy(for: priority))
        }
        self.init(uncheckedPolicies: policies)
    }

    /// The policy a ticket of `priority` from a customer of `segment` follows: the segment's own
    /// policy for that priority if there is one, else the priority's policy without segment.
    public func policy(for priority: TicketPriority, segment: CustomerSegment?) -> SLAPolicy {
        if let segment, let own = policies.first(where: { $0.priority == priority && $0.segment == segment }) { return own }
        return policies.first { $0.priority == priority && $0.segment == nil } ?? Self.defaultPolicy(for: priority)
    }

    private static func sorted(_ policies: [SLAPolicy]) -> [SLAPolicy] {
        func rank(_ segment: CustomerSegment?) -> Int {
            segment.map { (CustomerSegment.allCases.firstIndex(of: $0) ?? 0) + 1 } ?? 0
        }
        return policies.sorted { ($0.priority, rank($0.segment)) < ($1.priority, rank($1.segment)) }
    }
}
