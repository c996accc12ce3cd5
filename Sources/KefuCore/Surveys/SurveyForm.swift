/// The survey page's form: its fields, and their values turned into the `SurveyAnswer` that
/// `SurveyService.answer` checks like a JSON answer (ranges, comment length). Only what the
/// form encoding itself decides is checked here: a rating left out or not a whole number.
public enum SurveyForm {
    /// The five rating fields, in the order the page shows them.
    public static let ratings = ["overall", "timeliness", "professionalism", "resolution", "attitude"]
    /// Every field the form posts.
    public static let fields: Set<String> = Set(ratings + ["comment"])

    /// The ratings left out or not whole numbers, in page order.
    public struct Missing: Error, Sendable, Equatable {
        public var fields: [String]
    }

    /// The answer in `values` (from `FormFields.parse`); an empty comment is no comment.
    public static func answer(_ values: [String: String]) throws(Missing) -> SurveyAnswer {
        var numbers: [String: Int] = [:]
        var missing: [String] = []
        for field in ratings {
            if let text = values[field], text.utf8.count <= 2, let number = Int(text) { numbers[field] = number } else { missing.append(field) }
        }
        guard missing.isEmpty else { throw Missing(fields: missing) }
        let comment = values["comment"].flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        return SurveyAnswer(
            overall: numbers["overall"] ?? 0,
            timeliness: numbers["timeliness"] ?? 0,
            professionalism: numbers["professionalism"] ?? 0,
            resolution: numbers["resolution"] ?? 0,
            attitude: numbers["attitude"] ?? 0,
            comment: comment
        )
    }
}
