import Foundation
import KefuPostgres

/// A validated ticket search (`GET /v1/tickets?q=…`): the text, the page size and the position
/// after the previous page.
///
/// Results are ordered by rank (best first), then id, and paginated by keyset on that pair: the
/// cursor carries the last hit's exact rank and id, so a page never repeats nor skips a hit
/// while the matching tickets do not change. It is not interchangeable with a queue cursor.
public struct TicketSearch: Sendable, Equatable {
    /// The longest search text, in characters after trimming.
    public static let maximumLength = 200

    /// The text as given, trimmed.
    public var text: String
    public var limit: Int
    public var after: Cursor?

    /// Validates `q` (1…200 characters after trimming surrounding white space), `limit` as
    /// `PageRequest` does and `cursor` (one from a previous search page).
    public init(q: String, limit: Int? = nil, cursor: String? = nil) throws {
        let text = q.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Self.maximumLength).contains(text.count) else {
            throw KefuError.invalidField("q", "must be 1 to \(Self.maximumLength) characters (not counting surrounding spaces)")
        }
        self.text = text
        self.limit = try PageRequest(limit: limit).limit
        if let cursor, !cursor.isEmpty {
            guard let decoded = Cursor(encoded: cursor) else { throw KefuError.invalidField("cursor", "is not a cursor of this search") }
            after = decoded
        }
    }

    /// The most tickets one way of matching contributes to a search (its newest matches): the
    /// bound that keeps a common word cheap in a large tenant. Hits are these candidates ranked.
    public static let candidatesPerSource = 200

    /// Whether the text can match anything: it holds a letter or a digit (CJK ideographs are
    /// letters). A text of only punctuation, symbols or spaces finds nothing.
    public var isSearchable: Bool {
        text.unicodeScalars.contains { $0.properties.isAlphabetic || CharacterSet.decimalDigits.contains($0) }
    }

    /// Whether the text also matches as a substring of other text than Chinese (trigrams): at
    /// least three characters and no CJK ideograph. Chinese matches as a substring through its
    /// bigrams (sql/031) instead.
    public var matchesSubstrings: Bool {
        text.count >= 3 && !text.unicodeScalars.contains(where: Self.isCJKIdeograph)
    }

    /// The CJK ideographs sql/031 indexes as bigrams: U+3400–4DBF, U+4E00–9FFF, U+F900–FAFF.
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: true
        default: false
        }
    }

    /// `%text%` for `ILIKE`, with `\`, `%` and `_` escaped: the text is matched literally as a
    /// substring (and bound as a parameter, like every value).
    var substringPattern: String {
        var pattern = "%"
        for character in text {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }

    /// Keyset position in a search: the last hit's rank and id.
    public struct Cursor: Sendable, Equatable {
        public var rank: Double
        public var id: UUID

        public init(rank: Double, id: UUID) {
            self.rank = rank
            self.id = id
        }

        /// base64url of `s|<rank's IEEE 754 bits in hex>|<UUID>`: the exact rank, not a rounding.
        init?(encoded: String) {
            guard encoded.utf8.count <= 128, let text = Base64URL.decode(encoded) else { return nil }
            let parts = text.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "s", parts[1].utf8.count == 16, let bits = UInt64(parts[1], radix: 16),
                let id = UUID(uuidString: String(parts[2]))
            else { return nil }
            let rank = Double(bitPattern: bits)
            guard rank.isFinite else { return nil }
            self.rank = rank
            self.id = id
        }

        public var encoded: String {
            let bits = String(rank.bitPattern, radix: 16)
            return Base64URL.encode("s|" + String(repeating: "0", count: 16 - bits.count) + bits + "|" + id.uuidString)
        }
    }
}
