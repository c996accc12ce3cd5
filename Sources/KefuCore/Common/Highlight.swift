import Foundation
import KefuPostgres

/// Search highlights are HTML: the matched text escaped, with `<mark>` around the matches.
/// PostgreSQL's `ts_headline` marks matches with two private-use characters instead of tags, so
/// that the text can be escaped before the marks become `<mark>` (an article body or a ticket
/// subject holding `<script>` must never reach a console as markup). Knowledge-base and ticket
/// search share it.
enum Highlight {
    static let start = "\u{E000}"
    static let stop = "\u{E001}"

    /// The `ts_headline` options (bound as a parameter).
    static let headlineOptions = "StartSel=\(start), StopSel=\(stop), MaxWords=30, MinWords=10"

    /// `<`, `>` and `&`, and the private-use stand-ins they travel as through `ts_headline`,
    /// whose parser reads `<…>` as a tag and `&…;` as an entity and leaves both out of the
    /// headline: the stand-ins keep the text whole, and `marked` turns them back before escaping.
    static let markup = "<>&"
    static let standIns = "\u{E002}\u{E003}\u{E004}"

    /// `ts_headline` of `text` (an SQL expression) for `query` (a tsquery expression), with the
    /// markup characters standing in and the matches between `start` and `stop`.
    static func headline(_ text: PostgresQuery, _ query: PostgresQuery) -> PostgresQuery {
        "ts_headline('english', translate(\(text), \(markup), \(standIns)), \(query), \(headlineOptions))"
    }

    /// The headline escaped and marked; nil when it marks nothing.
    static func marked(_ headline: String) -> String? {
        guard headline.contains(start) else { return nil }
        var text = headline
        for (markup, standIn) in zip(markup, standIns) { text = text.replacingOccurrences(of: String(standIn), with: String(markup)) }
        return TextEscaping.html(text)
            .replacingOccurrences(of: start, with: "<mark>")
            .replacingOccurrences(of: stop, with: "</mark>")
    }

    /// A snippet of `text` around the first occurrence of `term`, escaped and marked (for CJK
    /// text, which the English full-text headline does not mark); nil when `term` does not occur.
    static func snippet(_ text: String, around term: String) -> String? {
        guard let range = text.range(of: term, options: [.caseInsensitive]) else { return nil }
        let start = text.index(range.lowerBound, offsetBy: -40, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 60, limitedBy: text.endIndex) ?? text.endIndex
        return (start > text.startIndex ? "…" : "") + TextEscaping.html(String(text[start..<range.lowerBound]))
            + "<mark>" + TextEscaping.html(String(text[range])) + "</mark>"
            + TextEscaping.html(String(text[range.upperBound..<end])) + (end < text.endIndex ? "…" : "")
    }

    /// The beginning of `text`, escaped: the highlight when nothing can be marked.
    static func opening(_ text: String) -> String {
        TextEscaping.html(String(text.prefix(120)))
    }
}
