import Foundation

/// A bound parameter value as handed to libpq: text, binary, or SQL NULL.
public enum PostgresBindValue: Sendable, Equatable {
    case null
    case text(String)
    case binary([UInt8])
}

/// A Swift value that can be bound as a query parameter.
///
/// Values are sent in PostgreSQL's text format (bytea in binary), tagged with their type OID so
/// the server never has to guess.
public protocol PostgresEncodable: Sendable {
    /// The OID sent with the parameter.
    static var postgresType: PostgresDataType { get }
    /// The parameter value in the wire format libpq sends.
    func postgresBindValue() -> PostgresBindValue
}

/// A value that can appear inside a PostgreSQL array parameter.
public protocol PostgresArrayElement: PostgresEncodable {
    /// The OID of an array of this element type.
    static var postgresArrayType: PostgresDataType { get }
    /// The element's text form, before array quoting.
    var postgresArrayText: String { get }
}

extension String: PostgresArrayElement {
    /// `unknown` lets PostgreSQL infer text, varchar, enum or uuid from the statement.
    public static var postgresType: PostgresDataType { .unknown }
    public static var postgresArrayType: PostgresDataType { .textArray }
    public func postgresBindValue() -> PostgresBindValue { .text(self) }
    public var postgresArrayText: String { self }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresDataType { .unknown }
    public func postgresBindValue() -> PostgresBindValue { .text(String(self)) }
}

extension Int: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public func postgresBindValue() -> PostgresBindValue { .text(String(self)) }
    public var postgresArrayText: String { String(self) }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public func postgresBindValue() -> PostgresBindValue { .text(String(self)) }
    public var postgresArrayText: String { String(self) }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int4 }
    public static var postgresArrayType: PostgresDataType { .int4Array }
    public func postgresBindValue() -> PostgresBindValue { .text(String(self)) }
    public var postgresArrayText: String { String(self) }
}

extension Double: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .float8 }
    public static var postgresArrayType: PostgresDataType { .float8Array }
    public func postgresBindValue() -> PostgresBindValue { .text(postgresArrayText) }
    public var postgresArrayText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
}

extension Bool: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .bool }
    public static var postgresArrayType: PostgresDataType { .boolArray }
    public func postgresBindValue() -> PostgresBindValue { .text(self ? "t" : "f") }
    public var postgresArrayText: String { self ? "t" : "f" }
}

extension UUID: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .uuid }
    public static var postgresArrayType: PostgresDataType { .uuidArray }
    public func postgresBindValue() -> PostgresBindValue { .text(canonicalText) }
    public var postgresArrayText: String { canonicalText }
}

extension Date: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .timestamptz }
    public static var postgresArrayType: PostgresDataType { .timestamptzArray }
    public func postgresBindValue() -> PostgresBindValue { .text(PostgresTimestamp.format(self)) }
    public var postgresArrayText: String { PostgresTimestamp.format(self) }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresDataType { .bytea }
    public func postgresBindValue() -> PostgresBindValue { .binary([UInt8](self)) }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.postgresArrayType }
    public func postgresBindValue() -> PostgresBindValue { .text(PostgresArrayText.encode(map(\.postgresArrayText))) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }
    public func postgresBindValue() -> PostgresBindValue {
        switch self {
        case .none: .null
        case .some(let value): value.postgresBindValue()
        }
    }
}

/// A `Codable` value bound as `jsonb` and decoded from `json`/`jsonb` columns.
public struct PostgresJSON<Value: Codable & Sendable>: PostgresEncodable, PostgresDecodable, Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public static var postgresType: PostgresDataType { .jsonb }

    public func postgresBindValue() -> PostgresBindValue {
        do {
            let data = try PostgresJSONCoding.encoder().encode(value)
            return .text(String(decoding: data, as: UTF8.self))
        } catch {
            // Encoding a Codable value only fails for non-finite floats; store null rather than crash.
            return .text("null")
        }
    }

    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> PostgresJSON<Value> {
        do {
            return PostgresJSON(try PostgresJSONCoding.decoder().decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw PostgresDecodingFailure("invalid JSON for \(Value.self): \(error)")
        }
    }
}

/// The JSON conventions used for values stored in json/jsonb columns: snake_case keys, ISO 8601 dates.
public enum PostgresJSONCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = PostgresTimestamp.parseISO8601(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid date \(text)")
        }
        return decoder
    }
}
