import Foundation
import KefuPostgres

/// A type that writes its JSON document itself: the same bytes `CompactJSONEncoder` makes from
/// its `Encodable` conformance (tests compare the two), without the generic containers. For the
/// hottest responses only — queue pages and tickets.
public protocol JSONWritable: Encodable {
    func writeJSON(to writer: inout JSONWriter) throws
}

/// Appends a JSON document field by field with Kefu's conventions: dates as ISO 8601 UTC with
/// milliseconds, UUIDs upper-case, absent optionals left out (as synthesized `Encodable` does).
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the object or array being written already has a member.
    private var hasMember = false

    public init() {
        bytes.reserveCapacity(2048)
    }

    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        hasMember = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        hasMember = true
    }

    /// An array of items that write themselves.
    public mutating func array<Item: JSONWritable>(_ key: String, _ items: [Item]) throws {
        try list(key, items) { writer, item in try item.writeJSON(to: &writer) }
    }

    public mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        JSONText.writeString(value, to: &bytes)
    }

    public mutating func field(_ key: String, _ value: UUID?) {
        guard let value else { return }
        self.key(key)
        uuid(value)
    }

    public mutating func field(_ key: String, _ value: Date?) {
        guard let value else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        PostgresTimestamp.writeISO8601(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func field<Value: RawRepresentable>(_ key: String, _ value: Value?) where Value.RawValue == String {
        field(key, value?.rawValue)
    }

    public mutating func field(_ key: String, _ values: [String]) {
        list(key, values) { writer, value in JSONText.writeString(value, to: &writer.bytes) }
    }

    public mutating func field(_ key: String, _ values: [UUID]) {
        list(key, values) { writer, value in writer.uuid(value) }
    }

    /// Any other value, through `CompactJSONEncoder` (for rare nested documents).
    public mutating func field(_ key: String, encoding value: (some Encodable)?) throws {
        guard let value else { return }
        let document = try CompactJSONEncoder().encode(value)
        self.key(key)
        bytes.append(contentsOf: document)
    }

    /// `"key":[…]`, each element written by `write`.
    private mutating func list<Element>(_ key: String, _ values: [Element], _ write: (inout JSONWriter, Element) throws -> Void) rethrows {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            try write(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
        hasMember = true
    }

    /// A key known to need no escaping (a property name), after a comma when needed.
    private mutating func key(_ key: String) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        hasMember = true
        quoted(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func uuid(_ value: UUID) {
        bytes.append(UInt8(ascii: "\""))
        value.writeCanonicalText(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text.utf8)
        bytes.append(UInt8(ascii: "\""))
    }
}
