import Foundation

/// Marks an input type with merge-patch meaning: a member left out keeps the current value, so
/// `null` on a member the type reads with `decodeIfPresent` is refused (it would silently keep
/// the value). Members that may be cleared are `Clearable` (or read `null` themselves with
/// `decodeNil(forKey:)`).
public protocol PartialUpdate: Decodable {}

/// Decodes client input with one rule for every resource:
/// - member names are the documented snake_case names; any other member is `422` naming it;
/// - `null` is accepted where a member is optional (and means "not given"), except in a
///   `PartialUpdate`, where it is accepted only for `Clearable` members (and means "clear");
/// - numbers must fit the field's type exactly (`1.5`, `2^63` or `1e400` for an integer is
///   `422` naming the field);
/// - dates and instants follow `InputDates` (RFC 3339 with a zone, within the accepted range).
public enum StrictJSONDecoder {
    /// Parses and decodes a request body.
    public static func decode<T: Decodable>(_ type: T.Type, from data: some Collection<UInt8>) throws -> T {
        try decode(type, from: try StrictJSONParser.parse(data))
    }

    /// Decodes an already parsed document.
    public static func decode<T: Decodable>(_ type: T.Type, from node: InputJSON) throws -> T {
        try NodeDecoder(node, codingPath: []).decodeValue(type)
    }
}

/// One value of the document being decoded.
struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: InputJSON
    let codingPath: [any CodingKey]
    /// Whether the type reading this node is a `PartialUpdate`.
    var partialUpdate = false
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ node: InputJSON, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    /// Decodes `type` from this node (dates by `InputDates`).
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Date.self {
            return try InputDates.instant(try decode(String.self), field: fieldName) as! T
        }
        var decoder = self
        decoder.partialUpdate = type is any PartialUpdate.Type
        return try T(from: decoder)
    }

    /// The field this node is, as error messages name it.
    var fieldName: String { DecodingErrors.path(codingPath) ?? "body" }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = node else { throw mismatch([String: Any].self, "an object") }
        return KeyedDecodingContainer(try NodeKeyedContainer<Key>(object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node else { throw mismatch([Any].self, "an array") }
        return NodeUnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: single value

    func decodeNil() -> Bool { node == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value) = node else { throw mismatch(type, "true or false") }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let value) = node else { throw mismatch(type, "a string") }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let text) = node, let value = Double(text), value.isFinite else { throw mismatch(type, "a number") }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float {
        let value = Float(try decode(Double.self))
        guard value.isFinite else { throw mismatch(type, "a number") }
        return value
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    /// An integer written exactly (`12`, or `12.0` / `1.2e1` that are whole numbers) that fits `T`.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let text) = node else { throw mismatch(type, "an integer") }
        if let value = T(text) { return value }
        if let double = Double(text), double.rounded() == double, abs(double) < 9_007_199_254_740_992,
            let value = T(exactly: double)
        {
            return value
        }
        throw DecodingError.typeMismatch(
            type,
            .init(
                codingPath: codingPath,
                debugDescription: "must be an integer between \(T.min) and \(T.max)"
            )
        )
    }

    private func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        let message = node == .null ? "must not be null (expected \(expected))" : "must be \(expected), not \(node.kind)"
        return DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: message))
    }
}

/// A JSON path component for array elements and free-form keys.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
