import Foundation

/// Parses a request body by RFC 8259 and nothing more: no trailing commas, no comments, no
/// `NaN`, no repeated keys, at most 64 levels deep, valid UTF-8 only.
///
/// A document that is not JSON is a `DecodingError.dataCorrupted` without a coding path (the API
/// answers `400 malformed_json`). JSON that no field may hold is an `invalidField` naming the
/// field (`422`): a string with a C0 control character other than tab, CR and LF (libpq would
/// cut the text at a NUL), a number a `Double` cannot hold (`1e400`), a key given twice.
public struct StrictJSONParser {
    /// Deeper documents are refused: parsing is recursive, and no Kefu input nests this far.
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private var path = FieldPath()

    /// Parses a whole document.
    public static func parse(_ data: some Collection<UInt8>) throws -> InputJSON {
        var parser = StrictJSONParser(bytes: Array(data))
        parser.skipWhitespace()
        let node = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.malformed("unexpected text after the document") }
        return node
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value(depth: Int) throws -> InputJSON {
        guard depth < Self.maximumDepth else { throw malformed("nested more than \(Self.maximumDepth) levels deep") }
        guard let byte = peek() else { throw malformed("unexpected end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string(checked: true))
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw malformed("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws -> InputJSON {
        position += 1
        var object = InputJSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a member name in quotes") }
            let key = try string(checked: false)
            path.push(.key(key))
            try checkText(key)
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw malformed("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            let member = try value(depth: depth + 1)
            guard object.append(key, member) else { throw KefuError.invalidField(path.description, "is given more than once") }
            path.pop()
            skipWhitespace()
            guard let next = peek() else { throw malformed("unexpected end of the document") }
            position += 1
            if next == UInt8(ascii: "}") { return .object(object) }
            guard next == UInt8(ascii: ",") else { throw malformed("expected ',' or '}'") }
        }
    }

    private mutating func array(depth: Int) throws -> InputJSON {
        position += 1
        var items: [InputJSON] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            path.push(.index(items.count))
            items.append(try value(depth: depth + 1))
            path.pop()
            skipWhitespace()
            guard let next = peek() else { throw malformed("unexpected end of the document") }
            position += 1
            if next == UInt8(ascii: "]") { return .array(items) }
            guard next == UInt8(ascii: ",") else { throw malformed("expected ',' or ']'") }
        }
    }

    /// A quoted string, unescaped; `checked` refuses control characters in it (keys are checked
    /// once their path is known).
    private mutating func string(checked: Bool) throws -> String {
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw malformed("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw malformed("a string is not valid UTF-8") }
                if checked { try checkText(text) }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                throw malformed("a control character must be escaped in a string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func escape(into utf8: inout [UInt8]) throws {
        guard let byte = peek() else { throw malformed("unterminated string") }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let plain = simple[byte] {
            utf8.append(plain)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw malformed("invalid escape in a string") }
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard peek() == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw malformed("unpaired surrogate in a string")
            }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw malformed("unpaired surrogate in a string") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw malformed("unpaired surrogate in a string") }
        utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw malformed("invalid \\u escape in a string")
        }
        position += 4
        return value
    }

    private mutating func number() throws -> InputJSON {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw malformed("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let next = peek(), isDigit(next) else { throw malformed("invalid number") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let next = peek(), isDigit(next) else { throw malformed("invalid number") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw KefuError.invalidField(path.description.isEmpty ? "body" : path.description, "must be a finite number")
        }
        return .number(text)
    }

    private mutating func literal(_ word: StaticString) throws {
        let expected = word.withUTF8Buffer { Array($0) }
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
            throw malformed("unexpected character")
        }
        position += expected.count
    }

    private func checkText(_ text: String) throws {
        if let problem = InputText.problem(in: text) {
            throw KefuError.invalidField(path.description.isEmpty ? "body" : path.description, problem)
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }
    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private mutating func skipDigits() { while let byte = peek(), isDigit(byte) { position += 1 } }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private func malformed(_ reason: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON: \(reason) at byte \(position)"))
    }
}

/// A field's place in a document, written the way error messages name fields:
/// `settings.sla.chat_first_response_seconds`, `contacts[0].value`.
struct FieldPath: CustomStringConvertible {
    enum Component {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component] = []

    mutating func push(_ component: Component) { components.append(component) }
    mutating func pop() { components.removeLast() }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
