import Foundation
import KefuCore

/// Email out as the deployment configures it: its relay (`KEFU_SMTP_URL` with `KEFU_SMTP_FROM`),
/// the deployment key (`KEFU_SECRET_KEY`), the survey page's public base URL (`KEFU_PUBLIC_URL`)
/// and, for development and tests only, a CA file to trust (`KEFU_SMTP_CA_FILE`).
public struct EmailConfiguration: Sendable {
    public var relay: MailRelay?
    public var secrets: SecretBox?
    public var publicURL: String?
    public var caFile: String?

    public init(relay: MailRelay? = nil, secrets: SecretBox? = nil, publicURL: String? = nil, caFile: String? = nil) {
        self.relay = relay
        self.secrets = secrets
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.caFile = caFile
    }

    /// The addresses Kefu sends mail from (the relay's `KEFU_SMTP_FROM`): mail from them is a loop.
    public var senderAddresses: Set<String> { Set([relay?.fromAddress].compactMap { $0 }) }

    /// Reads the variables (`value` answers a trimmed, non-empty variable or nil).
    static func read(_ value: (String) -> String?) throws -> EmailConfiguration {
        var relay: MailRelay?
        if let url = value("KEFU_SMTP_URL") {
            guard let from = value("KEFU_SMTP_FROM") else {
                throw ConfigurationError(variable: "KEFU_SMTP_FROM", reason: "is required with KEFU_SMTP_URL (the address mail is sent from)")
            }
            guard from.split(separator: "@").count == 2, !from.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else {
                throw ConfigurationError(variable: "KEFU_SMTP_FROM", reason: "must be a mail address, got '\(from)'")
            }
            do { relay = try MailRelay(url: url, fromAddress: from) } catch {
                throw ConfigurationError(variable: "KEFU_SMTP_URL", reason: "must be smtp://user:password@host:port or smtps://…")
            }
        }
        var secrets: SecretBox?
        if let key = value("KEFU_SECRET_KEY") {
            do { secrets = try SecretBox(secret: key) } catch {
                throw ConfigurationError(variable: "KEFU_SECRET_KEY", reason: "must be at least 32 characters (e.g. openssl rand -base64 32)")
            }
        }
        let publicURL = value("KEFU_PUBLIC_URL")
        if let publicURL {
            guard let url = URLComponents(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(variable: "KEFU_PUBLIC_URL", reason: "must be an http(s) URL, got '\(publicURL)'")
            }
        }
        let caFile = value("KEFU_SMTP_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(variable: "KEFU_SMTP_CA_FILE", reason: "cannot read '\(caFile)'")
        }
        return EmailConfiguration(relay: relay, secrets: secrets, publicURL: publicURL, caFile: caFile)
    }
}
