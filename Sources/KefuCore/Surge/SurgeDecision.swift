import Foundation

/// A tenant's surge mode as the detector needs it.
struct SurgeModeState: Equatable, Sendable {
    var active: Bool
    /// Since when every rate has been below the exit ratio (nil while one is above it).
    var calmSince: Date?
    /// The open incident was started by hand (only a supervisor ends it).
    var manual: Bool

    static let off = SurgeModeState(active: false, calmSince: nil, manual: false)
}

/// What the detector must do to a tenant's mode; `none` means nothing is written.
enum SurgeStep: Equatable, Sendable {
    case none
    /// Level-1 response for this (the strongest) surging rate.
    case start(SurgeRate)
    /// A rate went back above the exit ratio: the hold period starts over.
    case resetCalm
    /// Every rate is below the exit ratio since `since`; the hold period is still running
    /// (`record` tells whether `since` must still be stored).
    case calming(since: Date, record: Bool)
    /// Calm for the whole hold period: restore.
    case restore

    /// Whether the step writes anything (the detector locks a tenant only for these).
    var changesState: Bool {
        switch self {
        case .none, .calming(_, record: false): false
        case .start, .resetCalm, .calming(_, record: true), .restore: true
        }
    }
}

/// The pure decision, shared by the set-based sweep (to find the few tenants to lock) and the
/// locked evaluation (which decides again from what it read under the lock).
enum SurgeDecision {
    static func next(_ mode: SurgeModeState, rates: [SurgeRate], settings: SurgeSettings, now: Date) -> SurgeStep {
        if !mode.active {
            // The strongest surge; on a tie a single channel names the incident better than "all".
            let worst = rates.filter { SurgeRates.isSurge($0, settings: settings) }
                .max { ($0.ratio, $0.channel == "all" ? 0 : 1) < ($1.ratio, $1.channel == "all" ? 0 : 1) }
            return worst.map { .start($0) } ?? .none
        }
        guard !mode.manual else { return .none }
        guard rates.allSatisfy({ SurgeRates.isCalm($0, settings: settings) }) else {
            return mode.calmSince == nil ? .none : .resetCalm
        }
        let since = mode.calmSince ?? now
        if now.timeIntervalSince(since) >= TimeInterval(settings.holdMinutes) * 60 { return .restore }
        return .calming(since: since, record: mode.calmSince == nil)
    }
}
