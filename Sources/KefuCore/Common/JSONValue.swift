import Foundation
import KefuPostgres

/// Any JSON document, for merge-patching settings and checking a patch's keys.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// RFC 7396 merge patch: objects merge key by key, `null` removes, anything else replaces.
    public func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var fields: [String: JSONValue] = [:]
        if case .object(let existing) = self { fields = existing }
        for (key, value) in patchFields {
            if value == .null {
                fields.removeValue(forKey: key)
            } else {
                fields[key] = (fields[key] ?? .null).merging(value)
            }
        }
        return .object(fields)
    }

    /// The first key path in `self` that `template` does not have (e.g. `sla.first_response`).
    public func firstUnknownKey(comparedTo template: JSONValue, path: String = "") -> String? {
        guard case .object(let fields) = self else { return nil }
        guard case .object(let known) = template else { return path.isEmpty ? nil : path }
        for key in fields.keys.sorted() {
            let keyPath = path.isEmpty ? key : path + "." + key
            guard let templateValue = known[key] else { return keyPath }
            if let unknown = fields[key]!.firstUnknownKey(comparedTo: templateValue, path: keyPath) { return unknown }
        }
        return nil
    }

    /// Encodes a value with Kefu's JSON conventions (snake_case keys).
    public static func from(_ value: some Encodable) throws -> JSONValue {
        let data = try KefuJSON.encoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes this document into `type` with Kefu's JSON conventions.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let data = try JSONEncoder().encode(self)
        return try KefuJSON.decoder().decode(T.self, from: data)
    }
}

/// Kefu's JSON conventions for the API, CLI and stored documents: snake_case keys, ISO 8601 dates.
public enum KefuJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(KefuJSON.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = KefuJSON.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO 8601 date-time such as 2026-11-25T09:30:00Z")
            }
            return date
        }
        return decoder
    }

    /// ISO 8601 with milliseconds in UTC, e.g. `2026-11-25T15:32:20.123Z`.
    public static func format(_ date: Date) -> String {
        PostgresTimestamp.formatISO8601(date)
    }

    /// Parses ISO 8601 date-times and dates (`Z` or an offset; none means UTC).
    public static func parse(_ text: String) -> Date? {
        guard text.count >= 10 else { return nil }
        return PostgresTimestamp.parse(text)
    }
}
