import Foundation

/// A routing rule's fields after validation, ready to store.
struct RoutingRuleDraft: Sendable, Equatable {
    static let maximumKeywords = 50
    static let maximumKeywordLength = 50
    static let positions = 0...1_000_000

    var name: String
    var position: Int
    var keywords: [String]
    var segment: CustomerSegment?
    var newCustomer: Bool?
    var category: TicketCategory?
    var channel: TicketChannel?
    var skill: String?
    var minTier: AgentTier?
    var maxTier: AgentTier?
    var priority: TicketPriority?
    var active: Bool

    /// Checks every field, naming the first wrong one.
    init(validating input: NewRoutingRule) throws {
        name = try Validate.text(input.name, field: "name")
        position = input.position ?? 100
        guard Self.positions.contains(position) else {
            throw KefuError.invalidField("position", "must be between \(Self.positions.lowerBound) and \(Self.positions.upperBound)")
        }
        keywords = try Self.keywords(input.keywords ?? [])
        segment = try input.segment.map { try Validate.choice($0, CustomerSegment.self, field: "segment") }
        newCustomer = input.newCustomer
        category = try input.category.map { try Validate.choice($0, TicketCategory.self, field: "category") }
        channel = try input.channel.map { try Validate.choice($0, TicketChannel.self, field: "channel") }
        skill = try input.skill.map(Self.skill)
        minTier = try input.minTier.map { try Validate.choice($0, AgentTier.self, field: "min_tier") }
        maxTier = try input.maxTier.map { try Validate.choice($0, AgentTier.self, field: "max_tier") }
        if let minTier, let maxTier, minTier > maxTier {
            throw KefuError.invalidField("min_tier", "must not be above max_tier (\(maxTier.rawValue))")
        }
        priority = try input.priority.map { try Validate.choice($0, TicketPriority.self, field: "priority") }
        active = input.active ?? true
    }

    /// Lowercased, trimmed, non-empty, without repeats; at most 50 of at most 50 characters each.
    static func keywords(_ values: [String]) throws -> [String] {
        var result: [String] = []
        for (index, value) in values.enumerated() {
            let keyword = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard !keyword.isEmpty else { throw KefuError.invalidField("keywords[\(index)]", "must not be empty") }
            guard InputText.length(keyword) <= maximumKeywordLength else {
                throw KefuError.invalidField("keywords[\(index)]", "must be at most \(maximumKeywordLength) characters")
            }
            if !result.contains(keyword) { result.append(keyword) }
        }
        guard result.count <= maximumKeywords else { throw KefuError.invalidField("keywords", "at most \(maximumKeywords) keywords") }
        return result
    }

    /// A skill in the same format as agents' skills, so the rule can match them.
    static func skill(_ value: String) throws -> String {
        guard let skill = try? Validate.skills([value], field: "skill").first else {
            throw KefuError.invalidField("skill", "must be 1–40 lowercase letters, digits, '_' or '-' (like agents' skills)")
        }
        return skill
    }
}
