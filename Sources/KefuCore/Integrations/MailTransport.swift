import Foundation

/// How a relay's connection is protected: STARTTLS when the server offers it (`smtp://`), or
/// TLS from the first byte (`smtps://`).
public enum MailSecurity: String, Codable, Sendable, CaseIterable {
    case starttls, implicit
}

/// An SMTP relay mail is sent through: the deployment's (`KEFU_SMTP_URL`, `KEFU_SMTP_FROM`) or a
/// tenant's own (`PUT /v1/mail-relay`).
public struct MailRelay: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var security: MailSecurity
    public var username: String?
    public var password: String?
    /// The address mail is sent from; its domain names the Message-IDs.
    public var fromAddress: String

    public init(host: String, port: Int, security: MailSecurity, username: String? = nil, password: String? = nil, fromAddress: String) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.fromAddress = fromAddress
    }

    /// A relay from `smtp://user:pass@host:port` (STARTTLS when offered, port 587 unless given) or
    /// `smtps://…` (implicit TLS, port 465); user and password are percent-decoded.
    public init(url: String, fromAddress: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let security: MailSecurity = scheme == "smtp" ? .starttls : (scheme == "smtps" ? .implicit : nil),
            let host = components.host, !host.isEmpty
        else { throw KefuError.invalidField("url", "must be smtp://user:password@host:port or smtps://…") }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw KefuError.invalidField("url", "takes no path or query")
        }
        self.init(
            host: host,
            port: components.port ?? (security == .implicit ? 465 : 587),
            security: security,
            username: components.percentEncodedUser.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 },
            password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding },
            fromAddress: fromAddress
        )
    }

    /// The domain of the from-address (Message-IDs are `<…@domain>`).
    public var domain: String { fromAddress.split(separator: "@").last.map(String.init)?.lowercased() ?? "localhost" }
}

/// Why a mail was not sent: the server's reply code and text when it answered, and whether
/// sending again cannot help (a 5xx answer).
public struct MailFailure: Error, Sendable, CustomStringConvertible {
    public var code: Int?
    public var message: String
    public var permanent: Bool

    public init(code: Int?, message: String, permanent: Bool) {
        self.code = code
        self.message = message
        self.permanent = permanent
    }

    public var description: String { message }
}

/// Sends one mail through a relay within `timeout` per step. Throws `MailFailure`.
public protocol MailTransport: Sendable {
    func send(from sender: String, to recipients: [String], message: [UInt8], via relay: MailRelay, timeout: Duration) async throws
}
