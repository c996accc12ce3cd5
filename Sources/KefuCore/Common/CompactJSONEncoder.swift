import Foundation
import KefuPostgres

/// Kefu's JSON conventions (snake_case keys, ISO 8601 UTC dates with milliseconds, absent
/// optionals left out, no escaped slashes) written straight into bytes.
///
/// The API's responses go through it: Foundation's `JSONEncoder` spent most of a queue page's
/// CPU on dynamic casts, per-key case conversion and key sorting. Keys come out in declaration
/// order instead of sorted; the documents are otherwise the same as `KefuJSON.encoder()`'s
/// (checked by tests against it).
public struct CompactJSONEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> [UInt8] {
        if let writable = value as? any JSONWritable {
            var writer = JSONWriter()
            try writable.writeJSON(to: &writer)
            return writer.bytes
        }
        return try render { try JSONTreeEncoder(slot: $0).encodeValue(value) }
    }

    /// Through the value's own `Encodable` conformance even when it is `JSONWritable` (tests
    /// compare the two; nested writable values still write themselves).
    func encodeTree(_ value: some Encodable) throws -> [UInt8] {
        try render { try value.encode(to: JSONTreeEncoder(slot: $0)) }
    }

    private func render(_ fill: (JSONSlot) throws -> Void) rethrows -> [UInt8] {
        let root = JSONSlot()
        try fill(root)
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        root.node.write(to: &output)
        return output
    }
}

/// A value being built; containers are classes so that a container handed out earlier can
/// still be filled.
private enum JSONNode {
    case null
    case literal(String)  // numbers and booleans, already formatted
    case raw([UInt8])  // a JSONWritable's document
    case string(String)
    case array(JSONArray)
    case object(JSONObject)

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .literal(let text): output.append(contentsOf: text.utf8)
        case .raw(let bytes): output.append(contentsOf: bytes)
        case .string(let text): JSONText.writeString(text, to: &output)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, slot) in array.items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                slot.node.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, (key, slot)) in object.fields.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONText.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                slot.node.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

private final class JSONSlot {
    var node: JSONNode = .null
}

private final class JSONArray {
    var items: [JSONSlot] = []
}

private final class JSONObject {
    var fields: [(String, JSONSlot)] = []

    /// A new field. Keys are not searched for: a type's `encode(to:)` writes each key once
    /// (a linear search per field cost more than the rest of a ticket's encoding), and
    /// dictionaries have unique keys.
    func append(_ key: String) -> JSONSlot {
        let slot = JSONSlot()
        fields.append((key, slot))
        return slot
    }
}

private struct JSONTreeEncoder: Encoder {
    let slot: JSONSlot
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: JSONObject
        if case .object(let existing) = slot.node {
            object = existing
        } else {
            object = JSONObject()
            slot.node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: JSONArray
        if case .array(let existing) = slot.node {
            array = existing
        } else {
            array = JSONArray()
            slot.node = .array(array)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    /// Encodes any value into this encoder's slot, with the special cases Kefu's conventions need.
    func encodeValue<T: Encodable>(_ value: T) throws {
        switch value {
        case let date as Date: slot.node = .string(KefuJSON.format(date))
        case let uuid as UUID: slot.node = .string(uuid.canonicalText)
        case let url as URL: slot.node = .string(url.absoluteString)
        case let data as Data: slot.node = .string(data.base64EncodedString())
        case let decimal as Decimal: slot.node = .literal(decimal.description)
        case let writable as any JSONWritable:
            var writer = JSONWriter()
            try writable.writeJSON(to: &writer)
            slot.node = .raw(writer.bytes)
        case let dictionary as [String: any Encodable]:
            // A dictionary's keys are data, not property names: kept as they are (as Foundation
            // does), in sorted order so that documents are stable.
            let object = JSONObject()
            slot.node = .object(object)
            for key in dictionary.keys.sorted() {
                try JSONTreeEncoder(slot: object.append(key), codingPath: codingPath).encodeValue(dictionary[key]!)
            }
        default: try value.encode(to: self)
        }
    }

    func nested(_ slot: JSONSlot, _ key: (any CodingKey)?) -> JSONTreeEncoder {
        JSONTreeEncoder(slot: slot, codingPath: key.map { codingPath + [$0] } ?? codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: JSONObject
    var codingPath: [any CodingKey]

    private func slot(_ key: Key) -> JSONSlot { object.append(SnakeCaseKeys.convert(key.stringValue)) }

    mutating func encodeNil(forKey key: Key) { slot(key).node = .null }
    mutating func encode(_ value: Bool, forKey key: Key) { slot(key).node = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) { slot(key).node = .string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { slot(key).node = try JSONText.number(value, codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { slot(key).node = try JSONText.number(Double(value), codingPath + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) { slot(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) { slot(key).node = .literal(String(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try JSONTreeEncoder(slot: slot(key), codingPath: codingPath + [key]).encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        JSONTreeEncoder(slot: slot(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        JSONTreeEncoder(slot: slot(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        JSONTreeEncoder(slot: object.append("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONTreeEncoder(slot: slot(key), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: JSONArray
    var codingPath: [any CodingKey]
    var count: Int { array.items.count }

    private func append(_ node: JSONNode) {
        let slot = JSONSlot()
        slot.node = node
        array.items.append(slot)
    }

    private func appendSlot() -> JSONSlot {
        let slot = JSONSlot()
        array.items.append(slot)
        return slot
    }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.literal(value ? "true" : "false")) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONText.number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { append(try JSONText.number(Double(value), codingPath)) }
    mutating func encode(_ value: Int) { append(.literal(String(value))) }
    mutating func encode(_ value: Int64) { append(.literal(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONTreeEncoder(slot: appendSlot(), codingPath: codingPath).encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        JSONTreeEncoder(slot: appendSlot(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONTreeEncoder(slot: appendSlot(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        JSONTreeEncoder(slot: appendSlot(), codingPath: codingPath)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONTreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() { encoder.slot.node = .null }
    mutating func encode(_ value: Bool) { encoder.slot.node = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String) { encoder.slot.node = .string(value) }
    mutating func encode(_ value: Double) throws { encoder.slot.node = try JSONText.number(value, codingPath) }
    mutating func encode(_ value: Float) throws { encoder.slot.node = try JSONText.number(Double(value), codingPath) }
    mutating func encode(_ value: Int) { encoder.slot.node = .literal(String(value)) }
    mutating func encode(_ value: Int64) { encoder.slot.node = .literal(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

/// JSON text details: string escaping and numbers.
enum JSONText {
    fileprivate static func number(_ value: Double, _ path: [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not valid in JSON"))
        }
        if value == value.rounded(), abs(value) < 1e15 { return .literal(String(Int64(value))) }
        return .literal("\(value)")
    }

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy them whole.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                ])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// camelCase → snake_case exactly as Foundation's `convertToSnakeCase` does it (`firstOwnerId`
/// → `first_owner_id`), computed once per key.
enum SnakeCaseKeys {
    private static let cache = NSLockedCache()

    static func convert(_ key: String) -> String {
        if let known = cache.value(for: key) { return known }
        let converted = compute(key)
        cache.set(converted, for: key)
        return converted
    }

    /// Foundation's algorithm: leading and trailing underscores kept; a word ends before an
    /// upper-case letter; a run of capitals followed by a lower-case letter is its own word up
    /// to the capital before that letter (so `HTTPStatus` becomes `h_ttp_status`, as Foundation has it).
    static func compute(_ key: String) -> String {
        let all = Array(key)
        guard let first = all.firstIndex(where: { $0 != "_" }) else { return key }
        let last = all.lastIndex(where: { $0 != "_" })!
        let characters = Array(all[first...last])
        var words: [ArraySlice<Character>] = []
        var wordStart = 0
        var search = 1
        while let upper = characters[search...].firstIndex(where: \.isUppercase) {
            words.append(characters[wordStart..<upper])
            guard let lower = characters[upper...].firstIndex(where: \.isLowercase) else {
                wordStart = upper
                search = characters.count
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(characters[upper..<(lower - 1)])
                wordStart = lower - 1
            }
            search = lower + 1
            if search >= characters.count { break }
        }
        words.append(characters[wordStart..<characters.count])
        let middle = words.map { String($0).lowercased() }.joined(separator: "_")
        return String(all[..<first]) + middle + String(all[(last + 1)...])
    }
}

/// A small string cache shared across requests.
private final class NSLockedCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    func value(for key: String) -> String? { lock.withLock { values[key] } }
    func set(_ value: String, for key: String) { lock.withLock { values[key] = value } }
}
