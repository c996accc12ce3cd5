import Foundation
import Hummingbird
import KefuCore

/// The one reader of query parameters. Every parameter follows the same rules, and every value
/// that breaks them is `422 invalid_field` naming the parameter:
/// - a single-valued parameter appears at most once and is not empty (`tag_id=` is refused);
/// - text has no control characters (`InputText`);
/// - booleans are `true` or `false`; ids are UUIDs; integers are decimal within their range;
/// - instants and dates follow `InputDates`;
/// - a list parameter may repeat and/or separate values with commas; its values are checked,
///   deduplicated (first occurrence kept) and at most `maximumListValues` are read.
struct QueryParameters {
    /// More values than this in one list parameter are refused (no list has this many choices).
    static let maximumListValues = 100

    private let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    /// The text of a single-valued parameter, nil when absent.
    func string(_ name: String) throws -> String? {
        let values = parameters.getAll(name)
        guard let value = values.first else { return nil }
        guard values.count == 1 else { throw KefuError.invalidField(name, "must be given at most once") }
        guard !value.isEmpty else { throw KefuError.invalidField(name, "must not be empty (leave the parameter out instead)") }
        if let problem = InputText.problem(in: value) { throw KefuError.invalidField(name, problem) }
        return value
    }

    func uuid(_ name: String) throws -> UUID? {
        try string(name).map { text in
            guard let id = UUID(uuidString: text) else { throw KefuError.invalidField(name, "must be a UUID") }
            return id
        }
    }

    /// An agent's id, `me` standing for the caller's.
    func agentID(_ name: String, me: UUID) throws -> UUID? {
        try string(name) == "me" ? me : uuid(name)
    }

    func bool(_ name: String) throws -> Bool? {
        try string(name).map { text in
            switch text {
            case "true": return true
            case "false": return false
            default: throw KefuError.invalidField(name, "must be true or false")
            }
        }
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        try string(name).map { text in
            guard let value = Int(text), range.contains(value) else {
                throw KefuError.invalidField(name, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
            }
            return value
        }
    }

    /// An RFC 3339 date-time with a zone.
    func instant(_ name: String) throws -> Date? {
        try string(name).map { try InputDates.instant($0, field: name) }
    }

    /// `YYYY-MM-DD`, as its midnight UTC.
    func date(_ name: String) throws -> Date? {
        try string(name).map { try InputDates.date($0, field: name) }
    }

    /// A date or a date-time.
    func dateOrInstant(_ name: String) throws -> Date? {
        try string(name).map { try InputDates.dateOrInstant($0, field: name) }
    }

    /// `YYYY-MM`, as the first instant of the month (UTC).
    func month(_ name: String) throws -> Date? {
        try string(name).map { try InputDates.month($0, field: name) }
    }

    /// One of an enumeration's values.
    func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type, transform: (String) -> String = { $0 }) throws -> E?
    where E.RawValue == String {
        try string(name).map { try Self.parse($0, type, name: name, transform: transform) }
    }

    /// A list of an enumeration's values: repeated and/or comma-separated, deduplicated.
    func list<E: RawRepresentable & CaseIterable & Equatable>(
        _ name: String,
        _ type: E.Type,
        transform: (String) -> String = { $0 }
    ) throws -> [E] where E.RawValue == String {
        var values: [E] = []
        var read = 0
        for parameter in parameters.getAll(name) {
            for item in parameter.split(separator: ",", omittingEmptySubsequences: false) {
                read += 1
                guard read <= Self.maximumListValues else {
                    throw KefuError.invalidField(name, "must have at most \(Self.maximumListValues) values")
                }
                let value = try Self.parse(String(item), type, name: name, transform: transform)
                if !values.contains(value) { values.append(value) }
            }
        }
        return values
    }

    private static func parse<E: RawRepresentable & CaseIterable>(
        _ text: String,
        _ type: E.Type,
        name: String,
        transform: (String) -> String
    ) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: transform(text)) else {
            throw KefuError.invalidField(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
