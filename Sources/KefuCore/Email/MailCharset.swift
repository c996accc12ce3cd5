import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the bytes of a MIME part or an encoded word into text by its declared charset. UTF-8,
/// US-ASCII and ISO-8859-1 are decoded here; everything else (GB2312, GBK and GB18030 as
/// GB18030, which contains both; Big5 as BIG5-HKSCS, which contains it; Windows code pages …)
/// through the C library's `iconv`. Bytes a charset cannot decode become U+FFFD; an unknown
/// charset is read as UTF-8 — a message is never refused for its charset.
public enum MailCharset {
    /// The text of `bytes` in `charset` (nil or empty: US-ASCII, read as UTF-8).
    public static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let name = canonicalName(charset)
        switch name {
        case "UTF-8", "US-ASCII": return String(decoding: bytes, as: UTF8.self)
        case "ISO-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return iconvDecode(Array(bytes), from: name) ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The name `iconv` knows for a charset label as mail clients write it.
    static func canonicalName(_ charset: String?) -> String {
        let label = (charset ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\"' \t")).uppercased()
        switch label {
        case "", "US-ASCII", "ASCII", "ANSI_X3.4-1968", "UTF-8", "UTF8": return label.hasPrefix("UTF") ? "UTF-8" : "US-ASCII"
        case "ISO-8859-1", "ISO8859-1", "LATIN1", "L1": return "ISO-8859-1"
        case "GB2312", "GBK", "GB18030", "CP936", "X-GBK", "EUC-CN", "X-EUC-CN", "CN-GB", "HZ-GB-2312":
            return label == "HZ-GB-2312" ? label : "GB18030"
        case "BIG5", "BIG-5", "CP950", "X-X-BIG5", "BIG5-HKSCS", "BIG5HKSCS": return "BIG5-HKSCS"
        default: return label
        }
    }

    /// `bytes` converted to UTF-8 by `iconv`; nil when it does not know `charset`.
    private static func iconvDecode(_ bytes: [UInt8], from charset: String) -> String? {
        guard !bytes.isEmpty else { return "" }
        let converter = iconv_open("UTF-8", charset)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes
        // Each input byte becomes at most 4 bytes of UTF-8 (U+FFFD, written for a bad byte, is 3).
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let written = input.withUnsafeMutableBytes { inputBuffer in
            output.withUnsafeMutableBytes { outputBuffer -> Int in
                var inPointer = inputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inputBuffer.count
                var outPointer = outputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outputBuffer.count
                while inLeft > 0 {
                    guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 else { break }
                    guard errno == EILSEQ || errno == EINVAL, outLeft >= 3 else { break }
                    // A byte the charset cannot decode (or a sequence cut off at the end): U+FFFD, go on.
                    for byte: UInt8 in [0xEF, 0xBF, 0xBD] {
                        outPointer?.pointee = CChar(bitPattern: byte)
                        outPointer = outPointer?.advanced(by: 1)
                    }
                    outLeft -= 3
                    inPointer = inPointer?.advanced(by: 1)
                    inLeft -= 1
                }
                return outputBuffer.count - outLeft
            }
        }
        return String(decoding: output.prefix(written), as: UTF8.self)
    }
}
