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

    public init(
        name: String,
        position: Int? = nil,
        keywords: [String]? = nil,
        segment: String? = nil,
        newCustomer: Bool? = nil,
        category: String? = nil,
        channel: String? = nil,
        skill: String? = nil,
        minTier: String? = nil,
        maxTier: String? = nil,
        priority: String? = nil,
        active: Bool? = nil
    ) {
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
            name: rule.name,
            position: rule.position,
            keywords: rule.keywords,
            segment: rule.segment,
            newCustomer: rule.newCustomer,
            category: rule.category,
            channel: rule.channel,
            skill: rule.skill,
            minTier: rule.minTier,
            maxTier: rule.maxTier,
            priority: rule.priority,
            active: rule.active
        )
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
