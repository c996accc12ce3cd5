import Crypto
import Foundation

/// The `Kefu-Signature` header of a webhook request:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, with a second `v1=` signed by
/// the previous secret while a rotation's overlap lasts. A receiver recomputes the HMAC over the
/// timestamp, a dot and the raw body with its secret, compares it in constant time with any
/// `v1` value, and rejects timestamps older than its tolerance (e.g. 5 minutes) against replays.
public enum WebhookSignature {
    /// The header value for `body` sent at `timestamp` (whole seconds), signed by each secret.
    public static func header(body: [UInt8], timestamp: Int64, secrets: [String]) -> String {
        (["t=\(timestamp)"] + secrets.map { "v1=" + signature(body: body, timestamp: timestamp, secret: $0) }).joined(separator: ",")
    }

    /// Hex HMAC-SHA256 of `"<timestamp>.<body>"` with `secret`.
    public static func signature(body: [UInt8], timestamp: Int64, secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        let message = Array("\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The receiver's check: true when one of the header's `v1` signatures is `secret`'s over
    /// `body` and its timestamp is within `tolerance` seconds of `now`.
    public static func verify(header: String, body: [UInt8], secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { return false }
        let key = SymmetricKey(data: Array(secret.utf8))
        let message = Array("\(timestamp).".utf8) + body
        return signatures.contains { hex in
            guard let mac = Self.bytes(hex: hex) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        }
    }

    private static func bytes(hex: String) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// A new secret: `whsec_` and 32 random bytes in hex.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
