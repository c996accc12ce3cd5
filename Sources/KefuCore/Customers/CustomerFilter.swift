import Foundation
import KefuPostgres

/// Which customers a list returns: a case-insensitive substring of the name and/or one segment.
public struct CustomerFilter: Sendable, Equatable {
    /// The trimmed search text, or nil to match every name.
    public var query: String?
    public var segment: CustomerSegment?

    /// Validates the `q` and `segment` query parameters; a blank `q` means no name filter.
    public init(query: String? = nil, segment: String? = nil) throws {
        let trimmed = query?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !trimmed.isEmpty {
            self.query = try Validate.text(trimmed, field: "q")
        }
        self.segment = try segment.map { try Validate.choice($0, CustomerSegment.self, field: "segment") }
    }

    /// ` AND name ILIKE … AND segment = …` (the name pattern can use the pg_trgm index on `name`).
    var condition: PostgresQuery {
        var condition: PostgresQuery = ""
        if let query {
            condition = condition + " AND name ILIKE \(Self.substringPattern(query))"
        }
        if let segment {
            condition = condition + " AND segment = \(segment.rawValue)"
        }
        return condition
    }

    /// `%text%` with LIKE's wildcards and escape character taken literally.
    static func substringPattern(_ text: String) -> String {
        var escaped = ""
        for char in text {
            if char == "\\" || char == "%" || char == "_" { escaped.append("\\") }
            escaped.append(char)
        }
        return "%" + escaped + "%"
    }
}
