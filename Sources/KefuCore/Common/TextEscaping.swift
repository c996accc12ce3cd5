/// Stored text made safe for the formats it leaves Kefu in.
public enum TextEscaping {
    /// `text` as HTML/XML character data: `&`, `<`, `>`, `"` and `'` become entities, so stored
    /// text (an article body, a tenant's name) can never become markup in a console or a chart.
    public static func html(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// One RFC 4180 CSV field. A value that a spreadsheet would run as a formula (it begins with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` (OWASP "CSV injection").
    public static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
