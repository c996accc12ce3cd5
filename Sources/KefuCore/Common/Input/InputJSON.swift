import Foundation

/// A JSON document as the client wrote it: numbers keep their text (so an integer field can
/// refuse `1.5` or `2^63` exactly instead of rounding) and objects keep their key order.
/// Produced only by `StrictJSONParser`, read by `StrictJSONDecoder`.
public indirect enum InputJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `"12"`, `"-0.5"`, `"1e3"`.
    case number(String)
    case string(String)
    case array([InputJSON])
    case object(InputJSONObject)

    /// The document as a `JSONValue` (numbers become `Double`; the parser has already refused
    /// numbers a `Double` cannot hold).
    public var value: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let text): .number(Double(text) ?? .nan)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(\.value))
        case .object(let object): .object(Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, $0.value.value) }))
        }
    }

    /// What the node is, for messages ("an object", "a string", …).
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object's members in the order written; keys are unique (the parser refuses repeats).
public struct InputJSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: InputJSON)] = []
    private var index: [String: Int] = [:]

    /// Adds a member; false when the key is already present.
    mutating func append(_ key: String, _ value: InputJSON) -> Bool {
        guard index[key] == nil else { return false }
        index[key] = members.count
        members.append((key, value))
        return true
    }

    public subscript(key: String) -> InputJSON? {
        index[key].map { members[$0].value }
    }

    public static func == (lhs: InputJSONObject, rhs: InputJSONObject) -> Bool {
        lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
