/// The accepted range of one numeric setting.
public struct SettingRange: Sendable {
    /// The setting's place in the settings document, e.g. `["surge", "hold_minutes"]`.
    public var path: [String]
    public var range: ClosedRange<Double>
    /// Whether the setting is a whole number.
    public var integer: Bool

    /// `surge.hold_minutes`.
    public var name: String { path.joined(separator: ".") }

    /// `between 1 and 1440`, as messages and the documentation say it.
    public var rangeText: String {
        func text(_ value: Double) -> String { integer || value.rounded() == value ? String(Int(value)) : String(value) }
        return "between \(text(range.lowerBound)) and \(text(range.upperBound))"
    }

    init(_ path: String, _ range: ClosedRange<Double>, integer: Bool = true) {
        self.path = path.split(separator: ".").map(String.init)
        self.range = range
        self.integer = integer
    }
}

/// Every numeric setting's realistic range, in one table: a patch outside it is refused naming
/// the setting; a stored document outside it (written before these ranges, or by hand) is
/// clamped into it when read, so no setting can reach time arithmetic or a loop unbounded. The
/// README and `docs/openapi.yaml` list the same ranges (a test compares the document with this table).
public enum SettingRanges {
    public static let all: [SettingRange] = [
        SettingRange("sla.chat_first_response_seconds", 1...3_600),
        SettingRange("sla.complaint_first_feedback_minutes", 1...1_440),
        SettingRange("sla.email_first_response_working_days", 1...30),
        SettingRange("sla.missing_info_request_minutes", 1...1_440),
        SettingRange("sla.department_notify_minutes", 1...1_440),
        SettingRange("sla.department_reply_minutes", 1...10_080),
        SettingRange("sla.blocker_report_minutes", 1...1_440),
        SettingRange("sla.solution_handback_minutes", 1...1_440),
        SettingRange("sla.customer_contact_minutes", 1...1_440),
        SettingRange("surge.window_minutes", 1...120),
        SettingRange("surge.trigger_ratio", 1.01...100, integer: false),
        SettingRange("surge.exit_ratio", 1...100, integer: false),
        SettingRange("surge.hold_minutes", 1...1_440),
        SettingRange("surge.minimum_volume", 1...100_000),
        SettingRange("surge.baseline_floor_per_hour", 0.01...100_000, integer: false),
        SettingRange("surge.reserve_lead_days", 0...30),
        SettingRange("survey.expiry_hours", 1...720),
        SettingRange("survey.low_rating_threshold", 1...4),
        SettingRange("promotion.min_csat", 1...5, integer: false),
        SettingRange("promotion.min_resolved_tickets", 0...100_000),
        SettingRange("promotion.window_days", 1...366),
        SettingRange("retention.service_records_years", 1...30),
    ]

    /// Throws `invalidField` for the first setting of `document` outside its range or not a
    /// number of its kind. `null` is an unset optional setting (`retention.service_records_years`).
    public static func check(_ document: JSONValue) throws {
        for setting in all {
            guard let value = document.value(at: setting.path), value != .null else { continue }
            guard case .number(let number) = value else {
                throw KefuError.invalidField(setting.name, setting.integer ? "must be an integer" : "must be a number")
            }
            guard !setting.integer || number.rounded() == number else { throw KefuError.invalidField(setting.name, "must be an integer") }
            guard setting.range.contains(number) else { throw KefuError.invalidField(setting.name, "must be \(setting.rangeText)") }
        }
    }

    /// `document` with every setting brought into its range: a number outside it becomes the
    /// nearest bound (rounded when whole numbers are expected), anything not a number is removed
    /// (its default applies).
    public static func clamped(_ document: JSONValue) -> JSONValue {
        var result = document
        for setting in all {
            guard let value = result.value(at: setting.path) else { continue }
            if case .number(let number) = value, !number.isNaN {
                var bounded = min(max(number, setting.range.lowerBound), setting.range.upperBound)
                if setting.integer { bounded = bounded.rounded() }
                if bounded != number { result.set(.number(bounded), at: setting.path) }
            } else {
                result.set(nil, at: setting.path)
            }
        }
        return result
    }
}

extension JSONValue {
    /// The value at a path of object keys, nil when absent.
    func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard case .object(let fields) = current, let next = fields[key] else { return nil }
            current = next
        }
        return current
    }

    /// Sets (or with nil removes) the value at a path of object keys that exists.
    mutating func set(_ value: JSONValue?, at path: [String]) {
        guard let key = path.first, case .object(var fields) = self else { return }
        if path.count == 1 {
            fields[key] = value
        } else if var child = fields[key] {
            child.set(value, at: Array(path.dropFirst()))
            fields[key] = child
        }
        self = .object(fields)
    }
}
