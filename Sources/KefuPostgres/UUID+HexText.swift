import Foundation

extension UUID {
    /// The canonical upper-case text (`uuidString`), written without Foundation's formatter.
    public var canonicalText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        writeCanonicalText(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the canonical upper-case text to a byte buffer (JSON writers, SQL parameters).
    public func writeCanonicalText(into bytes: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { raw in
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                let byte = raw[index]
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0F))
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    /// Parses the canonical 36-character form (`8-4-4-4-12` hex digits, either case) without
    /// Foundation's C parser; nil for anything else.
    init?(hexText text: String) {
        var text = text
        text.makeContiguousUTF8()  // a no-op for native strings
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { output in
            text.utf8.withContiguousStorageIfAvailable { input -> Bool in
                guard input.count == 36 else { return false }
                var out = 0
                var index = 0
                while index < 36 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard input[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                        continue
                    }
                    guard let high = PostgresHex.nibble(input[index]), let low = PostgresHex.nibble(input[index + 1]) else { return false }
                    output[out] = high << 4 | low
                    out += 1
                    index += 2
                }
                return true
            } ?? false
        }
        guard parsed else { return nil }
        self.init(uuid: value)
    }
}
