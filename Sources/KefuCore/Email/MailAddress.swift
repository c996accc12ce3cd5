import Foundation

/// A mailbox from an address header: `"张三" <zhang@example.com>`, `=?GBK?B?…?= <a@qq.com>`,
/// `a@example.com (Zhang San)`, `<a@example.com>`, `a@example.com`.
public struct MailAddress: Sendable, Equatable {
    /// The address, lower-cased (mailboxes are matched without regard to case, as providers do).
    public var address: String
    /// The display name, decoded; nil when the header has none.
    public var name: String?

    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// The mailboxes of an address-list header, in order; entries without an address are skipped.
    public static func list(_ value: String) -> [MailAddress] {
        HeaderValue.splitOutsideQuotes(value, separator: ",", respectingAngles: true).compactMap(parse)
    }

    /// The first mailbox of the header value, or nil when it holds no address.
    public static func first(_ value: String) -> MailAddress? {
        list(value).first
    }

    /// One mailbox.
    static func parse(_ text: String) -> MailAddress? {
        var entry = text.trimmingCharacters(in: .whitespaces)
        // A group (`Team: a@x, b@y;`): its mailboxes.
        if let colon = entry.firstIndex(of: ":"), !entry[..<colon].contains("<"), !entry[..<colon].contains("\"") {
            entry = String(entry[entry.index(after: colon)...]).trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
        }
        if let open = lastIndexOutsideQuotes(of: "<", in: entry), let close = entry[open...].firstIndex(of: ">") {
            let address = String(entry[entry.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            let display = String(entry[..<open]).trimmingCharacters(in: .whitespaces)
            return make(address: address, name: display)
        }
        // `a@example.com (Zhang San)`: the comment is the name.
        var comment: String?
        if let open = entry.firstIndex(of: "("), let close = entry.lastIndex(of: ")"), open < close {
            comment = String(entry[entry.index(after: open)..<close])
            entry = String(entry[..<open]) + String(entry[entry.index(after: close)...])
        }
        return make(address: entry.trimmingCharacters(in: .whitespaces), name: comment ?? "")
    }

    private static func make(address: String, name: String) -> MailAddress? {
        let address = address.hasPrefix("mailto:") ? String(address.dropFirst(7)) : address
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !address.contains(where: \.isWhitespace) else { return nil }
        let decoded = EncodedWords.decode(HeaderValue.unquote(name)).trimmingCharacters(in: .whitespaces)
        let display = HeaderValue.unquote(decoded).trimmingCharacters(in: .whitespaces)
        return MailAddress(address: address.lowercased(), name: display.isEmpty || display.lowercased() == address.lowercased() ? nil : display)
    }

    private static func lastIndexOutsideQuotes(of target: Character, in text: String) -> String.Index? {
        var quoted = false
        var found: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" && quoted {
                index = text.index(after: index)
            } else if character == "\"" {
                quoted.toggle()
            } else if character == target && !quoted {
                found = index
            }
            if index < text.endIndex { index = text.index(after: index) }
        }
        return found
    }
}

/// Message identifiers (`<id@host>`) in `Message-ID`, `In-Reply-To` and `References`.
public enum MessageIDs {
    /// The identifiers in `value`, without angle brackets, in order. Identifiers clients wrote
    /// without brackets are taken when they hold an `@`. Identifiers over 998 characters are dropped.
    public static func parse(_ value: String?) -> [String] {
        guard let value else { return [] }
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            ids.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            ids = value.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).filter { $0.contains("@") }
        }
        return ids.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0.count <= 998 }
    }
}
