import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One connection to an SMTP server, driven one command and one reply at a time.
final class SMTPSession: Sendable {
    let channel: any Channel
    let replies: SMTPReplyHandler
    let configuration: SMTPConfiguration
    private let state = Mutex(State())

    private struct State {
        var encrypted = false
        var extensions: [String] = []
    }

    private init(channel: any Channel, replies: SMTPReplyHandler, configuration: SMTPConfiguration, encrypted: Bool) {
        self.channel = channel
        self.replies = replies
        self.configuration = configuration
        state.withLock { $0.encrypted = encrypted }
    }

    /// Connects, reads the greeting, says EHLO and, as configured, upgrades to TLS and logs in.
    static func connect(_ configuration: SMTPConfiguration, group: any EventLoopGroup) async throws -> SMTPSession {
        let replies = SMTPReplyHandler()
        let implicit = configuration.security == .implicit
        let tls = implicit ? try tlsContext(configuration) : nil
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try tlsHandler(tls, configuration)) }
                        try channel.pipeline.syncOperations.addHandler(replies)
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw SMTPError(.connect("\(configuration.host):\(configuration.port): \(error)"), step: "connect")
        }
        let session = SMTPSession(channel: channel, replies: replies, configuration: configuration, encrypted: implicit)
        do {
            try session.expect(try await session.reply(step: "greeting"), 220, command: "greeting", step: "greeting")
            try await session.hello()
            if configuration.security == .starttls, session.offers("STARTTLS") {
                try await session.startTLS()
                try await session.hello()
            }
            if configuration.username != nil { try await session.authenticate() }
            return session
        } catch {
            await session.close()
            throw error
        }
    }

    /// MAIL FROM, RCPT TO for each recipient, DATA and the message.
    func deliver(from sender: String, to recipients: [String], message: [UInt8]) async throws -> SMTPReply {
        try await command("MAIL FROM:<\(sender)>", step: "MAIL FROM", expecting: 250)
        for recipient in recipients {
            try await command("RCPT TO:<\(recipient)>", step: "RCPT TO", expecting: 250, 251)
        }
        try await command("DATA", step: "DATA", expecting: 354)
        try await write(SMTPClient.dataBlock(message))
        let reply = try await reply(step: "message")
        try expect(reply, 250, command: "message", step: "message")
        return reply
    }

    /// Says goodbye; errors no longer matter (the mail is sent).
    func quit() async {
        _ = try? await command("QUIT", step: "QUIT", expecting: 221)
        await close()
    }

    func close() async {
        try? await channel.close()
    }

    // MARK: - Steps

    private func hello() async throws {
        let name = configuration.clientName
        try await write(Array("EHLO \(name)\r\n".utf8))
        let reply = try await reply(step: "EHLO")
        if reply.code == 250 {
            state.withLock { $0.extensions = reply.lines.dropFirst().map { $0.uppercased() } }
            return
        }
        guard (500..<600).contains(reply.code) else {
            try expect(reply, 250, command: "EHLO", step: "EHLO")
            return
        }
        try await command("HELO \(name)", step: "HELO", expecting: 250)
        state.withLock { $0.extensions = [] }
    }

    private func startTLS() async throws {
        try await command("STARTTLS", step: "STARTTLS", expecting: 220)
        let tls = try Self.tlsContext(configuration)
        do {
            try await channel.eventLoop.submit { [channel, configuration] in
                try channel.pipeline.syncOperations.addHandler(try Self.tlsHandler(tls, configuration), position: .first)
            }.get()
        } catch {
            throw SMTPError(.tls("\(error)"), step: "STARTTLS")
        }
        state.withLock { $0.encrypted = true }
    }

    /// AUTH PLAIN when offered, else LOGIN; credentials are never sent unencrypted.
    private func authenticate() async throws {
        let user = configuration.username ?? ""
        let password = configuration.password ?? ""
        guard state.withLock({ $0.encrypted }) else {
            throw SMTPError(.tls("the server offers no STARTTLS: credentials are not sent unencrypted"), step: "AUTH")
        }
        let mechanisms = state.withLock { $0.extensions }
            .filter { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }
            .flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) }
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            try await command("AUTH PLAIN \(base64("\0\(user)\0\(password)"))", step: "AUTH", expecting: 235, redacted: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await command("AUTH LOGIN", step: "AUTH", expecting: 334)
            try await command(base64(user), step: "AUTH", expecting: 334, redacted: "AUTH LOGIN (user)")
            try await command(base64(password), step: "AUTH", expecting: 235, redacted: "AUTH LOGIN (password)")
        } else {
            throw SMTPError(.protocolViolation("the server offers neither AUTH PLAIN nor AUTH LOGIN"), step: "AUTH")
        }
    }

    // MARK: - Plumbing

    /// Whether the last EHLO listed `keyword`.
    func offers(_ keyword: String) -> Bool {
        state.withLock { $0.extensions }.contains { $0 == keyword || $0.hasPrefix(keyword + " ") }
    }

    @discardableResult
    private func command(_ line: String, step: String, expecting codes: Int..., redacted: String? = nil) async throws -> SMTPReply {
        try await write(Array("\(line)\r\n".utf8))
        let reply = try await reply(step: step)
        guard codes.contains(reply.code) else {
            throw SMTPError(.refused(command: redacted ?? line, reply: reply), step: step)
        }
        return reply
    }

    private func expect(_ reply: SMTPReply, _ code: Int, command: String, step: String) throws {
        guard reply.code == code else { throw SMTPError(.refused(command: command, reply: reply), step: step) }
    }

    private func write(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            throw SMTPError(.connectionClosed, step: "write")
        }
    }

    private func reply(step: String) async throws -> SMTPReply {
        let timeout = configuration.timeout
        do {
            return try await channel.eventLoop.flatSubmit { [replies, channel] in
                replies.next(timeout: timeout, on: channel.eventLoop)
            }.get()
        } catch var error as SMTPError {
            error.step = step
            throw error
        }
    }

    private static func tlsContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration.tls)
        } catch {
            throw SMTPError(.tls("\(error)"), step: "TLS")
        }
    }

    /// The TLS handler: the certificate is checked against the host name, or against the address
    /// when the relay is given by IP address (no SNI then).
    private static func tlsHandler(_ context: NIOSSLContext, _ configuration: SMTPConfiguration) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: configuration.host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : configuration.host)
    }

    /// An address that cannot smuggle a second command (no CR, LF, angle brackets or spaces).
    static func isSafeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.count <= 320 && address.contains("@")
            && !address.unicodeScalars.contains { $0.value < 33 || $0 == "<" || $0 == ">" || $0.value == 127 }
    }
}
