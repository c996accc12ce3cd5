import Foundation

/// The header section of a message or MIME part: fields in order, each unfolded (RFC 5322 §2.2.3:
/// a line starting with a space or tab continues the field before it). Values are the raw text
/// (encoded words still encoded); names are matched without regard to case.
public struct MailHeaders: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field]

    /// Parses a header section (its lines, without the empty line that ends it). Header bytes
    /// should be ASCII; 8-bit bytes are read as UTF-8 when they are UTF-8 (RFC 6532), else as
    /// GB18030 (Chinese clients that send raw GBK headers). Lines without a colon are skipped.
    public init(_ bytes: some Collection<UInt8>) {
        let text = MailHeaders.text(Array(bytes))
        var fields: [Field] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if let first = line.first, first == " " || first == "\t" {
                if !fields.isEmpty { fields[fields.count - 1].value += String(line) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            fields.append(Field(name: name, value: String(line[line.index(after: colon)...])))
        }
        self.fields = fields.map { Field(name: $0.name, value: $0.value.trimmingCharacters(in: .whitespaces)) }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return String(decoding: bytes, as: UTF8.self) }
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return MailCharset.decode(bytes, charset: "GB18030")
    }

    /// The first field called `name`.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every field called `name`, in order.
    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The field's value with its encoded words decoded.
    public func decoded(_ name: String) -> String? {
        self[name].map(EncodedWords.decode)
    }
}

/// A header value with parameters: `text/plain; charset="gb2312"`, `attachment; filename=…`.
public struct HeaderValue: Sendable, Equatable {
    /// The value before the first `;`, lower-cased (`text/plain`, `attachment`).
    public var value: String
    /// Parameters by lower-cased name, unquoted; RFC 2231 continuations and charsets and RFC 2047
    /// encoded words (as Outlook and Foxmail write file names) decoded.
    public var parameters: [String: String]

    public init(_ raw: String) {
        let parts = HeaderValue.splitOutsideQuotes(raw, separator: ";")
        value = (parts.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var plain: [String: String] = [:]
        var continued: [String: [(index: Int, extended: Bool, text: String)]] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            var name = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let text = HeaderValue.unquote(part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            let extended = name.hasSuffix("*")
            if extended { name.removeLast() }
            // `name*0`, `name*1*`: RFC 2231 continuations.
            if let star = name.lastIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                continued[String(name[..<star]), default: []].append((index, extended, text))
            } else if extended {
                plain[name] = HeaderValue.decodeExtended(text)
            } else {
                plain[name] = EncodedWords.decode(text)
            }
        }
        for (name, pieces) in continued where plain[name] == nil {
            let ordered = pieces.sorted { $0.index < $1.index }
            if ordered.contains(where: \.extended) {
                let charset = ordered.first.flatMap { $0.extended ? HeaderValue.charsetPrefix($0.text) : nil }
                var bytes: [UInt8] = []
                for (offset, piece) in ordered.enumerated() {
                    let text = offset == 0 && piece.extended ? HeaderValue.dropCharsetPrefix(piece.text) : piece.text
                    bytes += piece.extended ? HeaderValue.percentDecoded(text) : Array(text.utf8)
                }
                plain[name] = MailCharset.decode(bytes, charset: charset)
            } else {
                plain[name] = EncodedWords.decode(ordered.map(\.text).joined())
            }
        }
        parameters = plain
    }

    /// `utf-8'lang'%E4%B8%AD` → text (RFC 2231 §4).
    private static func decodeExtended(_ text: String) -> String {
        MailCharset.decode(percentDecoded(dropCharsetPrefix(text)), charset: charsetPrefix(text))
    }

    private static func charsetPrefix(_ text: String) -> String? {
        let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[0]) : nil
    }

    private static func dropCharsetPrefix(_ text: String) -> String {
        let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[2]) : text
    }

    private static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Splits at `separator` where it is not inside double quotes (or, for addresses, angle brackets).
    static func splitOutsideQuotes(_ text: String, separator: Character, respectingAngles: Bool = false) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var angles = 0
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if respectingAngles && !quoted && character == "<" {
                angles += 1
            } else if respectingAngles && !quoted && character == ">" {
                angles = max(0, angles - 1)
            } else if character == separator && !quoted && angles == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
