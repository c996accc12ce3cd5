/// One reply of an SMTP server: its three-digit code and its lines of text (a multi-line reply,
/// `250-…` continued by `250 …`, has one entry per line).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The reply's text, its lines joined by spaces.
    public var text: String { lines.joined(separator: " ") }

    /// 2xx and 3xx: the command was taken.
    public var isPositive: Bool { (200..<400).contains(code) }
}

/// Why a mail was not sent. A server's refusal keeps its code and text: 5xx is permanent (sending
/// the same mail again fails again), 4xx and everything else (timeouts, dropped connections,
/// TLS failures) may succeed later.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server refused `command` with `reply`.
        case refused(command: String, reply: SMTPReply)
        /// No reply within the step's timeout.
        case timeout
        /// The connection ended before the reply.
        case connectionClosed
        /// TLS was required (implicit TLS, or credentials to send) but not available or failed.
        case tls(String)
        /// The server said something that is not SMTP, or lacks what the client needs.
        case protocolViolation(String)
        /// The connection could not be opened.
        case connect(String)
    }

    public var kind: Kind
    /// What the client was doing: `connect`, `greeting`, `EHLO`, `STARTTLS`, `AUTH`, `MAIL FROM`,
    /// `RCPT TO`, `DATA`, `message`.
    public var step: String

    public init(_ kind: Kind, step: String) {
        self.kind = kind
        self.step = step
    }

    /// The server's reply code, when it refused.
    public var code: Int? {
        if case .refused(_, let reply) = kind { return reply.code }
        return nil
    }

    /// A 5xx refusal: retrying cannot help.
    public var isPermanent: Bool { code.map { (500..<600).contains($0) } ?? false }

    public var description: String {
        switch kind {
        case .refused(_, let reply): "\(step): the server answered \(reply.code) \(reply.text)"
        case .timeout: "\(step): no answer from the server in time"
        case .connectionClosed: "\(step): the server closed the connection"
        case .tls(let reason): "\(step): TLS: \(reason)"
        case .protocolViolation(let reason): "\(step): \(reason)"
        case .connect(let reason): "connect: \(reason)"
        }
    }
}
