import Crypto
import Foundation

/// Seals small secrets with the deployment key (`KEFU_SECRET_KEY`): AES-256-GCM under a key
/// derived from it with HKDF-SHA256. What is sealed (a tenant's relay password, a survey's
/// token) is stored as nonce ‖ ciphertext ‖ tag and opened only where it is used.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// At least 32 characters of key material (e.g. `openssl rand -base64 32`).
    public init(secret: String) throws {
        guard secret.utf8.count >= 32 else { throw KefuError.invalidField("KEFU_SECRET_KEY", "must be at least 32 characters") }
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)),
            info: Array("kefu secret box v1".utf8),
            outputByteCount: 32
        )
    }

    public func seal(_ text: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Array(text.utf8), using: key).combined else {
            throw SealingFailed()
        }
        return combined
    }

    /// The sealed text, or nil when it was sealed with another key or altered.
    public func open(_ sealed: Data) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed), let plain = try? AES.GCM.open(box, using: key) else { return nil }
        return String(bytes: plain, encoding: .utf8)
    }
}

/// AES-GCM produced no combined form (it always does with its standard 12-byte nonce).
struct SealingFailed: Error {}
