import Foundation

/// A partial update of a routing rule, with JSON merge-patch semantics: a field left out stays
/// as it is; a condition or outcome set to `null` is cleared (it then matches anything / sets
/// nothing). `name`, `position`, `keywords` and `active` cannot be null (`[]` clears keywords).
public struct RoutingRuleUpdate: Decodable, Sendable, Equatable, PartialUpdate {
    /// One clearable field of the update.
    public enum Change<Value: Sendable & Equatable>: Sendable, Equatable {
        case keep
        case clear
        case set(Value)

        func applied(to current: Value?) -> Value? {
            switch self {
            case .keep: current
            case .clear: nil
            case .set(let value): value
            }
        }
    }

    public var name: String?
    public var position: Int?
    public var keywords: [String]?
    public var active: Bool?
    public var segment: Change<String> = .keep
    public var newCustomer: Change<Bool> = .keep
    public var category: Change<String> = .keep
    public var channel: Change<String> = .keep
    public var skill: Change<String> = .keep
    public var minTier: Change<String> = .keep
    public var maxTier: Change<String> = .keep
    public var priority: Change<String> = .keep

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, position, keywords, active, segment, newCustomer, category, channel, skill, minTier, maxTier, priority
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        position = try container.decodeIfPresent(Int.self, forKey: .position)
        keywords = try container.decodeIfPresent([String].self, forKey: .keywords)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
        segment = try Self.change(container, .segment)
        newCustomer = try Self.change(container, .newCustomer)
        category = try Self.change(container, .category)
        channel = try Self.change(container, .channel)
        skill = try Self.change(container, .skill)
        minTier = try Self.change(container, .minTier)
        maxTier = try Self.change(container, .maxTier)
        priority = try Self.change(container, .priority)
    }

    private static func change<Value: Decodable & Sendable & Equatable>(
        _ container: KeyedDecodingContainer<CodingKeys>,
        _ key: CodingKeys
    ) throws -> Change<Value> {
        guard container.contains(key) else { return .keep }
        if try container.decodeNil(forKey: key) { return .clear }
        return .set(try container.decode(Value.self, forKey: key))
    }
}
