import Foundation

/// Service-level targets (SPEC §3) that do not depend on the priority, per tenant. The
/// per-priority targets (first response, plan, progress, resolution) are the SLA policies
/// (`SLAPolicies`, `/v1/sla-policies`).
public struct SLASettings: Codable, Sendable, Equatable {
    public var chatFirstResponseSeconds = 30
    public var complaintFirstFeedbackMinutes = 5
    public var emailFirstResponseWorkingDays = 1
    public var missingInfoRequestMinutes = 15
    public var departmentNotifyMinutes = 15
    public var departmentReplyMinutes = 120
    public var blockerReportMinutes = 60
    public var solutionHandbackMinutes = 60
    public var customerContactMinutes = 30

    public init() {}
}

/// Surge detection thresholds (SPEC §6).
public struct SurgeSettings: Codable, Sendable, Equatable {
    public var windowMinutes = 15
    public var triggerRatio = 3.0
    public var exitRatio = 1.5
    public var holdMinutes = 30
    public var minimumVolume = 20
    public var baselineFloorPerHour = 4.0
    public var reserveLeadDays = 3

    public init() {}
}

/// Satisfaction survey rules.
public struct SurveySettings: Codable, Sendable, Equatable {
    public var expiryHours = 24
    /// An overall rating at or below this reopens the ticket.
    public var lowRatingThreshold = 2

    public init() {}

    /// When a survey opened at `instant` closes: `expiry_hours` of wall time later (the
    /// invitation names it; the survey row and its expiry timer store it).
    func closes(after instant: Date) -> Date {
        instant.addingTimeInterval(TimeInterval(self.expiryHours) * 3600)
    }
}

/// KPI thresholds for tier promotion (besides the tier's certificates).
public struct PromotionSettings: Codable, Sendable, Equatable {
    /// Minimum average overall rating of the agent's tickets in the window.
    public var minCsat = 4.0
    /// Minimum tickets the agent resolved in the window.
    public var minResolvedTickets = 30
    public var windowDays = 90

    public init() {}
}

/// How long the tenant must keep its service records (issue 16 §1): `kefu archive export`
/// refuses to archive a month of the audit trail that holds this tenant's events while the
/// month ended less than `service_records_years` ago. Absent (`null`): no contractual minimum.
public struct RetentionSettings: Codable, Sendable, Equatable {
    /// Whole years, 1–30 (`SettingRanges`); nil when the tenant has no contractual minimum.
    public var serviceRecordsYears: Int?

    public init(serviceRecordsYears: Int? = nil) {
        self.serviceRecordsYears = serviceRecordsYears
    }

    private enum CodingKeys: String, CodingKey {
        case serviceRecordsYears
    }

    /// Writes `null` when unset, so the settings document always names the setting (a patch
    /// may then set it, and `GET /v1/settings` shows it).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let serviceRecordsYears {
            try container.encode(serviceRecordsYears, forKey: .serviceRecordsYears)
        } else {
            try container.encodeNil(forKey: .serviceRecordsYears)
        }
    }
}

/// A tenant's settings: every field has the SPEC default; tenants override what they need.
public struct TenantSettings: Codable, Sendable, Equatable {
    /// The language of the texts Kefu sends to customers: `zh-CN` or `en`.
    public var locale = "zh-CN"
    public var autoReplyEnabled = true
    /// Working hours per weekday ("mon" … "sun"), in the tenant's time zone; SLA targets count
    /// business time within them unless the channel is always open.
    public var businessHours: [String: [TimePeriod]] = TenantSettings.standardHours
    /// Local dates without working time.
    public var holidays: [LocalDate] = []
    /// Channels served around the clock (their SLA clocks run in wall time).
    public var alwaysOpenChannels: [String] = []
    public var sla = SLASettings()
    public var surge = SurgeSettings()
    public var survey = SurveySettings()
    public var promotion = PromotionSettings()
    public var retention = RetentionSettings()

    public init() {}

    /// Monday to Friday, 09:00–18:00.
    public static let standardHours: [String: [TimePeriod]] = {
        var hours: [String: [TimePeriod]] = [:]
        for day in ["mon", "tue", "wed", "thu", "fri"] {
            hours[day] = [TimePeriod(start: LocalTime(hour: 9), end: LocalTime(hour: 18))]
        }
        hours["sat"] = []
        hours["sun"] = []
        return hours
    }()

    /// The calendar SLA clocks of `channel` run on, in the tenant's time zone.
    public func calendar(timezone: String, channel: String) -> BusinessCalendar {
        BusinessCalendar(
            timezone: timezone,
            weeklyHours: self.businessHours,
            holidays: self.holidays,
            alwaysOpen: self.alwaysOpenChannels.contains(channel)
        )
    }

    /// Settings from a stored document: stored values over the defaults, each numeric setting
    /// clamped into its range (`SettingRanges`), so a document written before the ranges existed
    /// cannot push a clock or a loop out of bounds.
    public static func fromStored(_ stored: JSONValue) throws -> TenantSettings {
        try JSONValue.from(TenantSettings()).merging(SettingRanges.clamped(stored)).decode(TenantSettings.self)
    }

    /// At most this many holidays (each working-day search walks them).
    public static let maximumHolidays = 1_000

    /// Applies a JSON merge patch; rejects unknown keys, wrong types and out-of-range values,
    /// naming the field (e.g. `surge.hold_minutes`).
    public func applying(_ patch: JSONValue) throws -> TenantSettings {
        guard case .object = patch else { throw KefuError.invalidField("settings", "must be a JSON object") }
        let current = try JSONValue.from(self)
        if let unknown = patch.firstUnknownKey(comparedTo: current) {
            let moved = ["sla.first_response_minutes", "sla.plan_minutes", "sla.progress_update_minutes"].contains { unknown.hasPrefix($0) }
            throw KefuError.invalidField(unknown, moved ? "is part of the SLA policies now (PUT /v1/sla-policies)" : "is not a setting")
        }
        let merged = current.merging(patch)
        try SettingRanges.check(merged)
        let updated: TenantSettings
        do {
            updated = try merged.decode(TenantSettings.self)
        } catch let error as DecodingError {
            throw KefuError.invalidField(DecodingErrors.fieldPath(error) ?? "settings", DecodingErrors.reason(error))
        }
        try updated.validate()
        return updated
    }

    /// The languages `locale` may name.
    public static let locales = ["zh-CN", "en"]

    /// Range checks that types alone cannot express.
    public func validate() throws {
        guard Self.locales.contains(locale) else {
            throw KefuError.invalidField("locale", "must be one of \(Self.locales.joined(separator: ", "))")
        }
        do {
            try BusinessCalendar(timezone: "UTC", weeklyHours: businessHours, holidays: holidays).validate()
        } catch KefuError.invalidField(let field, let reason) {
            throw KefuError.invalidField(field.replacingOccurrences(of: "weekly_hours", with: "business_hours"), reason)
        }
        let channels = ["chat", "phone", "email", "web_form", "in_app", "social", "community", "api"]
        for (index, channel) in alwaysOpenChannels.enumerated() where !channels.contains(channel) {
            throw KefuError.invalidField("always_open_channels[\(index)]", "must be one of \(channels.joined(separator: ", "))")
        }
        guard holidays.count <= Self.maximumHolidays else {
            throw KefuError.invalidField("holidays", "must have at most \(Self.maximumHolidays) dates")
        }
        for (index, holiday) in holidays.enumerated() where !InputDates.contains(holiday.midnightUTC) {
            throw KefuError.invalidField("holidays[\(index)]", "must be \(InputDates.rangeText)")
        }
        try SettingRanges.check(try JSONValue.from(self))
        guard surge.exitRatio >= 1, surge.exitRatio < surge.triggerRatio else {
            throw KefuError.invalidField("surge.exit_ratio", "must be at least 1 and below surge.trigger_ratio")
        }
    }
}

/// Turns `DecodingError`s into the field path and reason a user can act on.
public enum DecodingErrors {
    /// `sla.chat_first_response_seconds`, from the error's coding path.
    public static func fieldPath(_ error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            return nil
        }
        return Self.path(path)
    }

    /// A coding path as a field name (`contacts[0].value`); nil for the document itself.
    public static func path(_ keys: [any CodingKey]) -> String? {
        let names = keys.map { key in key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue) }
        guard !names.isEmpty else { return nil }
        return names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    public static func reason(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context) where context.debugDescription.hasPrefix("must"): context.debugDescription
        case .typeMismatch(let type, _): "must be \(describe(type))"
        case .valueNotFound(let type, _): "must not be null (expected \(describe(type)))"
        case .keyNotFound: "is required"
        case .dataCorrupted(let context): context.codingPath.isEmpty ? "is not valid JSON" : context.debugDescription
        @unknown default: "is invalid"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "a UUID string"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for char in name {
            if char.isUppercase { result += "_" + char.lowercased() } else { result.append(char) }
        }
        return result
    }
}
