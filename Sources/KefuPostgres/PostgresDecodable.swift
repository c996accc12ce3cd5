import Foundation

/// Why a value could not be decoded; the row adds the column's name and type.
public struct PostgresDecodingFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A Swift type that can be decoded from a column value in PostgreSQL's text format.
public protocol PostgresDecodable {
    static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Self
}

private func expect(_ type: PostgresDataType, in allowed: [PostgresDataType], for swiftType: Any.Type) throws {
    guard allowed.contains(type) else {
        throw PostgresDecodingFailure("cannot decode \(type) as \(swiftType)")
    }
}

private let integerTypes: [PostgresDataType] = [.int2, .int4, .int8, .oid, .numeric]

extension String: PostgresDecodable {
    /// Any column can be read as its text form.
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> String { text }
}

extension Int: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Int {
        try expect(type, in: integerTypes, for: Int.self)
        guard let value = Int(text) else { throw PostgresDecodingFailure("'\(text)' is not an integer") }
        return value
    }
}

extension Int64: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Int64 {
        try expect(type, in: integerTypes, for: Int64.self)
        guard let value = Int64(text) else { throw PostgresDecodingFailure("'\(text)' is not an integer") }
        return value
    }
}

extension Int32: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Int32 {
        try expect(type, in: integerTypes, for: Int32.self)
        guard let value = Int32(text) else { throw PostgresDecodingFailure("'\(text)' does not fit Int32") }
        return value
    }
}

extension Double: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Double {
        try expect(type, in: [.float4, .float8, .numeric, .int2, .int4, .int8], for: Double.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw PostgresDecodingFailure("'\(text)' is not a number") }
            return value
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Bool {
        try expect(type, in: [.bool], for: Bool.self)
        return text == "t"
    }
}

extension UUID: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> UUID {
        try expect(type, in: [.uuid, .text, .varchar, .unknown], for: UUID.self)
        guard let value = UUID(hexText: text) ?? UUID(uuidString: text) else { throw PostgresDecodingFailure("'\(text)' is not a UUID") }
        return value
    }
}

extension Date: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Date {
        try expect(type, in: [.timestamptz, .timestamp], for: Date.self)
        guard let value = PostgresTimestamp.parse(text) else {
            throw PostgresDecodingFailure("'\(text)' is not an ISO timestamp")
        }
        return value
    }
}

extension Data: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Data {
        try expect(type, in: [.bytea], for: Data.self)
        guard let value = PostgresHex.decodeBytea(text) else { throw PostgresDecodingFailure("malformed bytea") }
        return value
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> [Element] {
        let elementType = PostgresArrayText.elementType(ofArray: type)
        return try PostgresArrayText.decode(text).map { item in
            guard let item else { throw PostgresDecodingFailure("NULL element in array of \(Element.self)") }
            return try Element.decodePostgres(item, type: elementType)
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// Non-NULL values decode as the wrapped type; the row handles NULL before calling this.
    public static func decodePostgres(_ text: String, type: PostgresDataType) throws -> Wrapped? {
        try Wrapped.decodePostgres(text, type: type)
    }
}

/// Marks `Optional` so the row can return `nil` for SQL NULL instead of failing.
protocol PostgresOptionalMarker {
    static var nullValue: Self { get }
}

extension Optional: PostgresOptionalMarker {
    static var nullValue: Wrapped? { nil }
}

enum PostgresHex {
    static func decodeBytea(_ text: String) -> Data? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"),
            bytes.count % 2 == 0
        else { return nil }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }

    /// The value of one hex digit, either case.
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
