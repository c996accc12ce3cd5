import Foundation
import KefuCore
import KefuMail
import NIOCore
import NIOSSL

/// Email out over `KefuMail`'s SMTP client: one connection per mail, certificates checked against
/// the system's trust roots, plus `caFile` (`KEFU_SMTP_CA_FILE`, for development and tests only).
public struct SMTPMailTransport: MailTransport {
    let caFile: String?
    let clientName: String

    public init(caFile: String? = nil, clientName: String = ProcessInfo.processInfo.hostName) {
        self.caFile = caFile
        self.clientName = clientName.isEmpty ? "localhost" : clientName
    }

    public func send(from sender: String, to recipients: [String], message: [UInt8], via relay: MailRelay, timeout: Duration) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        let milliseconds = max(Int64(timeout.components.seconds) * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000, 100)
        let configuration = SMTPConfiguration(
            host: relay.host,
            port: relay.port,
            security: relay.security == .implicit ? .implicit : .starttls,
            username: relay.username,
            password: relay.password,
            clientName: clientName,
            timeout: .milliseconds(milliseconds),
            tls: tls
        )
        do {
            try await SMTPClient.send(from: sender, to: recipients, message: message, configuration: configuration)
        } catch let error as SMTPError {
            throw MailFailure(code: error.code, message: error.description, permanent: error.isPermanent)
        }
    }
}
