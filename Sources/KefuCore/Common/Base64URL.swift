import Foundation

/// base64url without padding: the text of the API's opaque cursors (queue pages, search pages).
enum Base64URL {
    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The UTF-8 text, nil unless `encoded` is base64url.
    static func decode(_ encoded: String) -> String? {
        guard
            encoded.unicodeScalars.allSatisfy({
                $0.properties.isASCIIHexDigit || ($0.isASCII && ($0.properties.isAlphabetic || $0 == "-" || $0 == "_"))
            })
        else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
