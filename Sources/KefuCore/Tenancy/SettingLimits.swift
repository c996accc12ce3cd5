import Foundation

/// The defaults and ranges of the integer settings that SQL reads itself (the surge detector's
/// window and minimum volume), handed to those functions as a parameter (`p_limits`,
/// `kefu_limited_setting` in sql/020) so that SQL keeps no copy of either.
public enum SettingLimits {
    /// The settings SQL reads.
    public static let readBySQL = ["surge.window_minutes", "surge.minimum_volume"]

    /// `{"surge": {"window_minutes": {"default": 15, "max": 120, "min": 1}, …}}`.
    public static let document: String = {
        let defaults = (try? JSONValue.from(TenantSettings())) ?? .object([:])
        var limits = JSONValue.object([:])
        for setting in SettingRanges.all where readBySQL.contains(setting.name) {
            let entry = JSONValue.object([
                "default": defaults.value(at: setting.path) ?? .null,
                "min": .number(setting.range.lowerBound), "max": .number(setting.range.upperBound),
            ])
            limits.insert(entry, at: setting.path)
        }
        return limits.text
    }()
}

extension JSONValue {
    /// Sets the value at a path of object keys, creating the objects on the way.
    mutating func insert(_ value: JSONValue, at path: [String]) {
        guard let key = path.first else {
            self = value
            return
        }
        guard case .object(var fields) = self else { return }
        var child = fields[key] ?? .object([:])
        child.insert(value, at: Array(path.dropFirst()))
        fields[key] = child
        self = .object(fields)
    }
}
