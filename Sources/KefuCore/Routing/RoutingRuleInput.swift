import Foundation

/// Input for a new routing rule (enum fields as text, validated by the service).
public struct NewRoutingRule: Codable, Sendable, Equatable {
    public var name: String
    public var position: Int?
    public var keywords: [String]?
    public var segment: String?
    public var newCustomer: Bool?
    public var category: String?
    public var channel: String?
    public var skill: String?
    public var minTier: String?
    public var maxTier: String?
    public var priority: String?
    public var active: Bool?

    public init(name: String, position: Int? = nil, keywords: [String]? = nil, segment: String? = nil,
                newCustomer: Bool? = nil, category: String? = nil, channel: String? = nil, skill: String? = nil,
                minTier: String? = nil, maxTier: String? = nil, priority: String? = nil, active: Bool? = nil) {
        self.name = name
        self.position = position
        self.keywords = keywords
        self.segment = segment
        self.newCustomer = newCustomer
        self.category = category
        self.channel = channel
        self.skill = skill
        self.minTier = minTier
        self.maxTier = maxTier
        self.priority = priority
        self.active = active
    }

    /// The input that would recreate `rule`.
    init(_ rule: RoutingRule) {
        self.init(
            name: rule.name, position: rule.position, keywords: rule.keywords, segment: rule.segment,
            newCustomer: rule.newCustomer, category: rule.category, channel: rule.channel, skill: rule.skill,
            minTier: rule.minTier, maxTier: rule.maxTier, priority: rule.priority, active: rule.active)
    }

    /// This input with `update` applied.
    func applying(_ update: RoutingRuleUpdate) -> NewRoutingRule {
        var result = self
        if let name = update.name { result.name = name }
        if let position = update.position { result.position = position }
        if let keywords = update.keywords { result.keywords = keywords }
        if let active = update.active { result.active = active }
        result.segment = update.segment.applied(to: segment)
        result.newCustomer = update.newCustomer.applied(to: newCustomer)
        result.category = update.category.applied(to: category)
        result.channel = update.channel.applied(to: channel)
        result.skill = update.skill.applied(to: skill)
        result.minTier = update.minTier.applied(to: minTier)
        result.maxTier = update.maxTier.applied(to: maxTier)
        result.priority = update.priority.applied(to: priority)
        return result
    }
}

/// A partial update of a routing rule, with JSON merge-patch semantics: a field left out stays
/// as it is; a condition or outcome set to `null` is cleared (it then matches anything / sets
/// nothing). `name`, `position`, `keywords` and `active` cannot be null (`[]` clears keywords).
public struct RoutingRuleUpdate: Decodable, Sendable, Equatable {
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
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> Change<Value> {
        guard container.contains(key) else { return .keep }
        if try container.decodeNil(forKey: key) { return .clear }
        return .set(try container.decode(Value.self, forKey: key))
    }
}
