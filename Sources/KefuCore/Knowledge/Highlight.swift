import Foundation

/// Search highlights are HTML: the article's text escaped, with `<mark>` around the matches.
/// PostgreSQL's `ts_headline` marks matches with two private-use characters instead of tags, so
/// that the text can be escaped before the marks become `<mark>` (an article body holding
/// `<script>` must never reach a console as markup).
enum Highlight {
    static let start = "\u{E000}"
    static let stop = "\u{E001}"

    /// The `ts_headline` options (bound as a parameter).
    static let headlineOptions = "StartSel=\(start), StopSel=\(stop), MaxWords=30, MinWords=10"

    /// The headline escaped and marked; nil when it marks nothing.
    static func marked(_ headline: String) -> String? {
        guard headline.contains(start) else { return nil }
        return TextEscaping.html(headline)
            .replacingOccurrences(of: start, with: "<mark>")
            .replacingOccurrences(of: stop, with: "</mark>")
    }
}
