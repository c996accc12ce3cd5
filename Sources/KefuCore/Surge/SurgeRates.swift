import Foundation

/// Intake counts one channel (or the whole tenant) needs for a surge decision.
public struct IntakeHistory: Sendable, Equatable {
    /// Tickets in the live window.
    public var live: Int
    /// Tickets in the same hour of the week, 1…4 weeks ago (index 0 = last week).
    public var sameHourLastWeeks: [Int]
    /// Tickets in the trailing 7 days before the live window.
    public var trailingWeek: Int
    /// The first minute the tenant took in anything on this channel.
    public var firstMinute: Date?

    public init(live: Int, sameHourLastWeeks: [Int], trailingWeek: Int, firstMinute: Date?) {
        self.live = live
        self.sameHourLastWeeks = sameHourLastWeeks
        self.trailingWeek = trailingWeek
        self.firstMinute = firstMinute
    }

    /// The sum of several channels' histories (the tenant-wide view).
    public static func combined(_ parts: [IntakeHistory]) -> IntakeHistory {
        IntakeHistory(
            live: parts.map(\.live).reduce(0, +),
            sameHourLastWeeks: (0..<4).map { week in parts.map { $0.sameHourLastWeeks.count > week ? $0.sameHourLastWeeks[week] : 0 }.reduce(0, +) },
            trailingWeek: parts.map(\.trailingWeek).reduce(0, +),
            firstMinute: parts.compactMap(\.firstMinute).min()
        )
    }
}

/// The live and normal rate of one channel, per window.
public struct SurgeRate: Codable, Sendable, Equatable {
    public var channel: String
    public var live: Int
    public var normal: Double
    public var ratio: Double
    /// `same_hour_of_week`, `trailing_7_days` or `floor`.
    public var baseline: String
}

/// Pure surge arithmetic: the normal rate for this moment and the decision.
public enum SurgeRates {
    /// The normal count for a window of `windowMinutes` at `now`: the same hour of the week over
    /// the last 4 weeks (weeks the tenant already existed), else the trailing 7-day mean, never
    /// below the configured floor.
    public static func rate(channel: String, _ history: IntakeHistory, now: Date, settings: SurgeSettings) -> SurgeRate {
        let window = Double(settings.windowMinutes)
        let floor = settings.baselineFloorPerHour / 60 * window
        let hourStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        var normal = 0.0
        var baseline = "floor"
        if let first = history.firstMinute {
            let weeks = (1...4).filter { first <= hourStart.addingTimeInterval(-Double($0) * 7 * 86_400) }
            if !weeks.isEmpty {
                let counts = weeks.map { Double(history.sameHourLastWeeks.count >= $0 ? history.sameHourLastWeeks[$0 - 1] : 0) }
                normal = counts.reduce(0, +) / Double(counts.count) / 60 * window
                baseline = "same_hour_of_week"
            } else {
                let observedMinutes = min(7 * 24 * 60, now.timeIntervalSince(first) / 60) - window
                if observedMinutes >= 60, history.trailingWeek > 0 {
                    normal = Double(history.trailingWeek) / observedMinutes * window
                    baseline = "trailing_7_days"
                }
            }
        }
        if normal < floor {
            normal = floor
            baseline = baseline == "floor" ? "floor" : baseline + "+floor"
        }
        return SurgeRate(channel: channel, live: history.live, normal: normal, ratio: Double(history.live) / normal, baseline: baseline)
    }

    /// A surge: live ≥ trigger × normal with at least the minimum volume in the window.
    public static func isSurge(_ rate: SurgeRate, settings: SurgeSettings) -> Bool {
        rate.live >= settings.minimumVolume && rate.ratio >= settings.triggerRatio
    }

    /// Calm: below the exit ratio (the hold period is counted by the caller).
    public static func isCalm(_ rate: SurgeRate, settings: SurgeSettings) -> Bool {
        rate.ratio < settings.exitRatio
    }
}
