import NIOCore
import NIOPosix
import NIOSSL

/// How the connection to the relay is protected.
public enum SMTPSecurity: String, Sendable, CaseIterable {
    /// Plain at first, upgraded with STARTTLS when the server offers it (`smtp://`).
    case starttls
    /// TLS from the first byte (`smtps://`, usually port 465).
    case implicit
}

/// Where and how to send: the relay, its protection, its credentials.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO/HELO.
    public var clientName: String
    /// The longest wait for connecting and for each reply.
    public var timeout: TimeAmount
    /// Certificate checks; the system's trust roots unless given (tests trust their own CA).
    public var tls: TLSConfiguration

    public init(
        host: String,
        port: Int,
        security: SMTPSecurity,
        username: String? = nil,
        password: String? = nil,
        clientName: String = "localhost",
        timeout: TimeAmount = .seconds(30),
        tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.clientName = clientName
        self.timeout = timeout
        self.tls = tls
    }
}

/// A small SMTP client (RFC 5321): EHLO (HELO when refused), STARTTLS or implicit TLS, AUTH PLAIN
/// or LOGIN (only over TLS), MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. One connection per
/// mail; every step has a timeout; every failure names its step and keeps the server's reply.
public enum SMTPClient {
    /// Sends `message` (an RFC 5322 message; line ends are normalised to CRLF) from `sender` to
    /// `recipients` through the relay. Returns the server's reply to the message.
    @discardableResult
    public static func send(
        from sender: String,
        to recipients: [String],
        message: [UInt8],
        configuration: SMTPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SMTPReply {
        guard !recipients.isEmpty else { throw SMTPError(.protocolViolation("no recipient"), step: "RCPT TO") }
        for address in [sender] + recipients where !SMTPSession.isSafeAddress(address) {
            throw SMTPError(.protocolViolation("not a mail address: \(address.prefix(100))"), step: "MAIL FROM")
        }
        let session = try await SMTPSession.connect(configuration, group: group)
        do {
            let reply = try await session.deliver(from: sender, to: recipients, message: message)
            await session.quit()
            return reply
        } catch {
            await session.close()
            throw error
        }
    }

    /// The DATA block: every line end CRLF, lines starting with "." doubled (RFC 5321 §4.5.2),
    /// closed by CRLF "." CRLF.
    public static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 50 + 5)
        var lineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == cr || byte == lf {
                out.append(cr)
                out.append(lf)
                lineStart = true
                if byte == cr, index + 1 < message.count, message[index + 1] == lf { index += 1 }
            } else {
                if lineStart && byte == dot { out.append(dot) }
                out.append(byte)
                lineStart = false
            }
            index += 1
        }
        if !lineStart { out += [cr, lf] }
        out += [dot, cr, lf]
        return out
    }
}
