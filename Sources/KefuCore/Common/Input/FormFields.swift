/// The input rule for `application/x-www-form-urlencoded` bodies (the customer's survey page):
/// every field named at most once, only the form's own fields, percent-encoding and UTF-8
/// well-formed. A breach is a 422 naming the field.
public enum FormFields {
    /// The fields of `body` by name (`+` is a space). An empty body has no fields.
    public static func parse(_ body: [UInt8], allowed: Set<String>) throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { throw KefuError.invalidField("body", "a field name is not valid form encoding") }
            let shown = String(name.prefix(64))
            guard allowed.contains(name) else { throw KefuError.invalidField(shown, "is not a field of this form") }
            guard fields[name] == nil else { throw KefuError.invalidField(shown, "is given more than once") }
            guard let value = decode(parts.count > 1 ? parts[1] : []) else {
                throw KefuError.invalidField(shown, "is not valid form encoding (percent-encoded UTF-8)")
            }
            fields[name] = value
        }
        return fields
    }

    /// `+` → space, `%XX` → the byte; nil when an escape is broken or the bytes are not UTF-8.
    static func decode(_ encoded: some Collection<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index != encoded.endIndex {
            let byte = encoded[index]
            index = encoded.index(after: index)
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index != encoded.endIndex, let high = hexValue(encoded[index]) else { return nil }
                index = encoded.index(after: index)
                guard index != encoded.endIndex, let low = hexValue(encoded[index]) else { return nil }
                index = encoded.index(after: index)
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
