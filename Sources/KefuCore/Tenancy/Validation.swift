import Foundation

/// Input checks shared by services: each throws `invalidField` naming the field.
enum Validate {
    /// Trimmed, non-empty text without control characters, at most `maxLength` characters
    /// counted as the database counts them (Unicode scalars, see `InputText.length`).
    static func text(_ value: String, field: String, maxLength: Int = 200) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw KefuError.invalidField(field, "must not be empty") }
        if let problem = InputText.problem(in: trimmed) { throw KefuError.invalidField(field, problem) }
        guard InputText.length(trimmed) <= maxLength else {
            throw KefuError.invalidField(field, "must be at most \(maxLength) characters (Unicode code points)")
        }
        return trimmed
    }

    static func email(_ value: String, field: String = "email") throws -> String {
        let email = try text(value, field: field, maxLength: 320).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
            throw KefuError.invalidField(field, "must be an email address")
        }
        return email
    }

    static func slug(_ value: String, field: String = "slug") throws -> String {
        let valid = value.range(of: "^[a-z0-9][a-z0-9-]{1,62}$", options: .regularExpression) != nil
        guard valid else {
            throw KefuError.invalidField(field, "must be 2–63 lowercase letters, digits or '-', starting with a letter or digit")
        }
        return value
    }

    static func timezone(_ value: String, field: String = "timezone") throws -> String {
        guard TimeZone(identifier: value) != nil else {
            throw KefuError.invalidField(field, "must be an IANA time zone such as Asia/Shanghai")
        }
        return value
    }

    static func choice<E: RawRepresentable & CaseIterable>(_ value: String, _ type: E.Type, field: String) throws -> E where E.RawValue == String {
        guard let parsed = E(rawValue: value) else {
            throw KefuError.invalidField(field, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    /// `count` choices of `E` (422 naming `field`, or `field[i]` for an unknown one), duplicates dropped.
    static func choices<E: RawRepresentable & CaseIterable & Equatable>(
        _ values: [String],
        _ type: E.Type,
        count: ClosedRange<Int>,
        field: String
    ) throws -> [E] where E.RawValue == String {
        guard count.contains(values.count) else {
            throw KefuError.invalidField(field, "must name \(count.lowerBound) to \(count.upperBound) values")
        }
        var chosen: [E] = []
        for (index, value) in values.enumerated() {
            let choice = try self.choice(value, type, field: "\(field)[\(index)]")
            if !chosen.contains(choice) { chosen.append(choice) }
        }
        return chosen
    }

    static func skills(_ values: [String], field: String = "skills") throws -> [String] {
        var result: [String] = []
        for value in values {
            let skill = value.trimmingCharacters(in: .whitespaces).lowercased()
            guard skill.range(of: "^[a-z0-9_-]{1,40}$", options: .regularExpression) != nil else {
                throw KefuError.invalidField(field, "each skill must be 1–40 lowercase letters, digits, '_' or '-'")
            }
            if !result.contains(skill) { result.append(skill) }
        }
        guard result.count <= 50 else { throw KefuError.invalidField(field, "at most 50 skills") }
        return result
    }
}
