/// A member of a `PartialUpdate` that may be cleared. As an optional property
/// (`var externalId: Clearable<String>?`): left out is nil (keep the value), `null` is `.clear`,
/// anything else `.set(value)` — the one place where `null` in a PATCH is accepted.
public enum Clearable<Value: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable, ClearableMember {
    case clear
    case set(Value)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .clear : .set(try container.decode(Value.self))
    }

    /// The new value, nil when cleared.
    public var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}

/// Types that read `null` themselves (the strict decoder hands them the null instead of refusing it).
public protocol ClearableMember {}

extension Clearable: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .clear: try container.encodeNil()
        case .set(let value): try container.encode(value)
        }
    }
}
