import Foundation

/// Position-based reads of the column kinds a `Decodable` row type uses, for hot paths that
/// decode by hand instead of through `decode(_:)` (which looks every property up by name).
extension PostgresRow {
    /// A text column holding an enum's raw value.
    public func decodeRaw<Value: RawRepresentable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value
    where Value.RawValue == String {
        let raw = try decode(String.self, at: index)
        guard let value = Value(rawValue: raw) else {
            throw PostgresError(
                kind: .decoding,
                message: "column '\(columns.names[index])': '\(raw)' is not a \(Value.self)",
                column: columns.names[index]
            )
        }
        return value
    }

    /// A nullable text column holding an enum's raw value.
    public func decodeRaw<Value: RawRepresentable>(_ type: Value?.Type, at index: Int) throws -> Value?
    where Value.RawValue == String {
        guard try decode(String?.self, at: index) != nil else { return nil }
        return try decodeRaw(Value.self, at: index)
    }

    /// A json/jsonb column as a `Decodable` value (SQL NULL is `nil`), with the JSON conventions
    /// of `decode(_:)`.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value? {
        guard index >= 0, index < values.count else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        guard let text = values[index] else { return nil }
        // Most documents of list columns are empty: no decoder for those.
        if text == "[]", let empty = (Value.self as? any RangeReplaceableCollection.Type)?.init() as? Value { return empty }
        do {
            return try PostgresJSONCoding.decoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(
                kind: .decoding,
                message: "column '\(columns.names[index])': invalid JSON for \(Value.self): \(error)",
                column: columns.names[index]
            )
        }
    }
}
