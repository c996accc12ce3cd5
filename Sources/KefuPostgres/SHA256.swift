import Crypto
import Foundation

/// SHA-256 for migration checksums, API-key and survey-token hashes and request fingerprints:
/// swift-crypto's implementation behind the two shapes Kefu uses (bytes and lower-case hex).
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash(_ data: some Sequence<UInt8>) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: Array(data)))
    }

    /// The digest as 64 lower-case hex digits.
    public static func hex(_ data: some Sequence<UInt8>) -> String {
        hash(data).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
