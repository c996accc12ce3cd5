import Foundation
import KefuMail
import KefuTestSupport
import NIOCore
import NIOSSL
import XCTest

/// The SMTP client against a real server (aiosmtpd) in each of its modes.
final class SMTPClientTests: XCTestCase {
    private let message = Array("Subject: hello\r\n\r\n.leading dot\r\nline two\n..two dots\r\n".utf8)

    private func start(_ mode: SMTPTestServer.Mode) throws -> SMTPTestServer {
        let server = SMTPTestServer(mode)
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    private func configuration(
        _ server: SMTPTestServer,
        security: SMTPSecurity = .starttls,
        user: String? = nil,
        password: String? = nil
    ) -> SMTPConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(server.certificateFile)
        return SMTPConfiguration(
            host: "127.0.0.1",
            port: server.port,
            security: security,
            username: user,
            password: password,
            timeout: .seconds(5),
            tls: tls
        )
    }

    private func send(_ server: SMTPTestServer, _ configuration: SMTPConfiguration) async throws -> SMTPReply {
        try await SMTPClient.send(from: "kefu@example.com", to: ["li.wei@example.cn"], message: message, configuration: configuration)
    }

    private func assertFails(_ work: () async throws -> SMTPReply, file: StaticString = #filePath, line: UInt = #line) async -> SMTPError? {
        do {
            _ = try await work()
            XCTFail("sent, but should have failed", file: file, line: line)
            return nil
        } catch let error as SMTPError {
            return error
        } catch {
            XCTFail("not an SMTPError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testAPlainServerTakesTheMessageDotStuffedWithCRLF() async throws {
        let server = try start(.accept)
        let reply = try await send(server, configuration(server))
        XCTAssertEqual(reply.code, 250)
        XCTAssertTrue(reply.text.contains("queued as K0001"), reply.text)
        let taken = try XCTUnwrap(server.messages().first)
        XCTAssertEqual(taken.mailFrom, "kefu@example.com")
        XCTAssertEqual(taken.recipients, ["li.wei@example.cn"])
        XCTAssertEqual(
            taken.text,
            "Subject: hello\r\n\r\n.leading dot\r\nline two\r\n..two dots\r\n",
            "dots unstuffed by the server: the text arrives as written"
        )
    }

    func testTheDataBlockIsDotStuffedAndEndsWithTheTerminator() {
        XCTAssertEqual(
            String(decoding: SMTPClient.dataBlock(Array(".a\nb\r\n.\rc".utf8)), as: UTF8.self),
            "..a\r\nb\r\n..\r\nc\r\n.\r\n"
        )
        XCTAssertEqual(String(decoding: SMTPClient.dataBlock([]), as: UTF8.self), ".\r\n")
    }

    func testAServerRefusingEHLOIsGreetedWithHELO() async throws {
        let server = try start(.helo)
        let reply = try await send(server, configuration(server))
        XCTAssertEqual(reply.code, 250)
        XCTAssertEqual(try server.messages().count, 1)
    }

    func testSTARTTLSIsUsedWhenOffered() async throws {
        let server = try start(.starttls)
        // The server refuses MAIL FROM before STARTTLS: taking the message proves the upgrade.
        let reply = try await send(server, configuration(server))
        XCTAssertEqual(reply.code, 250)
        XCTAssertEqual(try server.messages().count, 1)
    }

    func testAnUntrustedCertificateIsATLSFailure() async throws {
        let server = try start(.starttls)
        var untrusting = configuration(server)
        untrusting.tls = .makeClientConfiguration()
        let error = await assertFails { try await self.send(server, untrusting) }
        XCTAssertFalse(error?.isPermanent ?? true)
        XCTAssertEqual(try server.messages().count, 0)
        if case .tls = error?.kind {} else if case .connectionClosed = error?.kind {} else { XCTFail("\(String(describing: error))") }
    }

    func testImplicitTLS() async throws {
        let server = try start(.implicit)
        let reply = try await send(server, configuration(server, security: .implicit))
        XCTAssertEqual(reply.code, 250)
        XCTAssertEqual(try server.messages().count, 1)
    }

    func testAuthPlainAndLogin() async throws {
        let plain = try start(.auth)
        let viaPlain = try await send(plain, configuration(plain, user: "kefu", password: "s3cret"))
        XCTAssertEqual(viaPlain.code, 250)
        let login = try start(.authlogin)
        let viaLogin = try await send(login, configuration(login, user: "kefu", password: "s3cret"))
        XCTAssertEqual(viaLogin.code, 250)
        XCTAssertEqual(try plain.messages().count + login.messages().count, 2)
    }

    func testWrongCredentialsArePermanentWithTheServersText() async throws {
        let server = try start(.auth)
        let error = await assertFails { try await self.send(server, self.configuration(server, user: "kefu", password: "wrong")) }
        XCTAssertEqual(error?.step, "AUTH")
        XCTAssertEqual(error?.code, 535)
        XCTAssertTrue(error?.isPermanent ?? false)
        XCTAssertFalse(error?.description.contains("wrong") ?? true, "the password is never part of the error")
    }

    func testCredentialsAreNeverSentUnencrypted() async throws {
        let server = try start(.accept)
        let error = await assertFails { try await self.send(server, self.configuration(server, user: "kefu", password: "s3cret")) }
        XCTAssertEqual(error?.step, "AUTH")
        if case .tls = error?.kind {} else { XCTFail("\(String(describing: error))") }
    }

    func testARejectedRecipientIsPermanentAndKeepsTheServersText() async throws {
        let server = try start(.reject)
        let error = await assertFails { try await self.send(server, self.configuration(server)) }
        XCTAssertEqual(error?.step, "RCPT TO")
        XCTAssertEqual(error?.code, 550)
        XCTAssertTrue(error?.isPermanent ?? false)
        XCTAssertTrue(error?.description.contains("User unknown") ?? false, "\(String(describing: error))")
    }

    func testATemporaryRefusalIsNotPermanent() async throws {
        let server = try start(.tempfail)
        let error = await assertFails { try await self.send(server, self.configuration(server)) }
        XCTAssertEqual(error?.code, 451)
        XCTAssertFalse(error?.isPermanent ?? true)
    }

    func testAConnectionDroppedMidDataIsNotPermanent() async throws {
        let server = try start(.drop)
        let error = await assertFails { try await self.send(server, self.configuration(server)) }
        XCTAssertEqual(error?.kind, .connectionClosed)
        XCTAssertFalse(error?.isPermanent ?? true)
        XCTAssertEqual(try server.messages().count, 0)
    }

    func testNoServerIsAConnectFailure() async throws {
        let config = SMTPConfiguration(host: "127.0.0.1", port: 1, security: .starttls, timeout: .seconds(2))
        let error = await assertFails { try await SMTPClient.send(from: "a@b.c", to: ["d@e.f"], message: [], configuration: config) }
        XCTAssertEqual(error?.step, "connect")
    }

    func testAServerThatSaysNothingTimesOut() async throws {
        // A listening socket that never greets.
        let listener = try ServerSocketStub()
        defer { listener.close() }
        let config = SMTPConfiguration(host: "127.0.0.1", port: listener.port, security: .starttls, timeout: .milliseconds(300))
        let error = await assertFails { try await SMTPClient.send(from: "a@b.c", to: ["d@e.f"], message: [], configuration: config) }
        XCTAssertEqual(error?.kind, .timeout)
        XCTAssertEqual(error?.step, "greeting")
    }

    func testAddressesCannotInjectCommands() async throws {
        let config = SMTPConfiguration(host: "127.0.0.1", port: 1, security: .starttls)
        let error = await assertFails {
            try await SMTPClient.send(from: "a@b.c", to: ["d@e.f>\r\nRCPT TO:<x@y.z"], message: [], configuration: config)
        }
        if case .protocolViolation = error?.kind {} else { XCTFail("\(String(describing: error))") }
    }
}
