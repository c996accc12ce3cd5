import Foundation

/// RFC 2047 encoded words in header values: `=?gb2312?B?1tC5+g==?=`, `=?utf-8?Q?caf=C3=A9?=`.
/// Whitespace between two encoded words is dropped, and adjacent words in the same charset are
/// joined as bytes before decoding, since clients split a multi-byte character across two words.
public enum EncodedWords {
    private enum Piece {
        case text(String)
        case encoded(charset: String, bytes: [UInt8])
    }

    /// `value` with its encoded words decoded; text that is not an encoded word is kept.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var pieces: [Piece] = []
        var rest = Substring(value)
        while let start = rest.range(of: "=?") {
            if let (word, end) = encodedWord(rest[start.lowerBound...]) {
                let before = String(rest[..<start.lowerBound])
                // Only whitespace between two encoded words: dropped.
                let betweenWords = isEncoded(pieces.last) && before.allSatisfy(\.isWhitespace)
                if !betweenWords && !before.isEmpty { pieces.append(.text(before)) }
                if case .encoded(let charset, let bytes)? = pieces.last, charset == word.charset {
                    pieces[pieces.count - 1] = .encoded(charset: charset, bytes: bytes + word.bytes)
                } else {
                    pieces.append(.encoded(charset: word.charset, bytes: word.bytes))
                }
                rest = rest[end...]
            } else {
                pieces.append(.text(String(rest[..<start.upperBound])))
                rest = rest[start.upperBound...]
            }
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces.map { piece in
            switch piece {
            case .text(let text): text
            case .encoded(let charset, let bytes): MailCharset.decode(bytes, charset: charset)
            }
        }.joined()
    }

    private static func isEncoded(_ piece: Piece?) -> Bool {
        if case .encoded? = piece { return true }
        return false
    }

    /// The encoded word at the start of `text` (`=?charset?B|Q?text?=`) and where it ends.
    private static func encodedWord(_ text: Substring) -> (word: (charset: String, bytes: [UInt8]), end: Substring.Index)? {
        let body = text.dropFirst(2)
        guard let charsetEnd = body.firstIndex(of: "?") else { return nil }
        // `charset*language` (RFC 2231 §5): the language is not needed.
        let charset = body[..<charsetEnd].split(separator: "*").first.map(String.init) ?? ""
        let afterCharset = body[body.index(after: charsetEnd)...]
        guard !charset.isEmpty, !charset.contains(where: \.isWhitespace), afterCharset.count >= 2,
            let encoding = afterCharset.first, afterCharset.dropFirst().first == "?"
        else { return nil }
        let encodedText = afterCharset.dropFirst(2)
        guard let close = encodedText.range(of: "?=") else { return nil }
        let payload = encodedText[..<close.lowerBound]
        guard !payload.contains(where: \.isWhitespace) else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B", "b": bytes = TransferEncoding.base64(Array(payload.utf8))
        case "Q", "q": bytes = TransferEncoding.quotedPrintable(Array(payload.utf8), underscoreIsSpace: true)
        default: return nil
        }
        return ((charset, bytes), close.upperBound)
    }
}
