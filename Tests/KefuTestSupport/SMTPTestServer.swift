import Foundation

/// A real SMTP server for email tests: `Tests/smtp-server/smtp_server.py` (aiosmtpd) started on a
/// free 127.0.0.1 port in one of its modes, writing each message it takes to a directory.
public final class SMTPTestServer: @unchecked Sendable {
    /// How the server behaves (see the script's documentation).
    public enum Mode: String, Sendable {
        case accept, reject, tempfail, drop, helo, starttls, implicit, auth, authlogin
    }

    /// A message the server took: the envelope and the bytes of DATA (dot-stuffing undone).
    public struct Message: Sendable {
        public var mailFrom: String
        public var recipients: [String]
        public var data: [UInt8]
        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    public let mode: Mode
    public let directory: URL
    private var process: Process?
    public private(set) var port = 0

    public init(_ mode: Mode = .accept) {
        self.mode = mode
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-smtp-\(UUID().uuidString)")
    }

    /// The self-signed certificate of the TLS modes (to trust in the client).
    public var certificateFile: String { directory.appendingPathComponent("cert.pem").path }

    /// Starts the server; returns once it listens.
    public func start() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("smtp-server/smtp_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--mode", mode.rawValue, "--dir", directory.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        // The script prints "PORT <n>" once it listens.
        var line: [UInt8] = []
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "smtp_server.py ended: is aiosmtpd installed?"])
            }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "smtp_server.py said \(text)"])
        }
        self.port = port
    }

    /// Stops the server and removes its directory.
    public func stop() {
        if let process, process.isRunning {
            // SIGKILL: the child may inherit a mask that blocks SIGTERM from the test process.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// The messages taken so far, in order.
    public func messages() throws -> [Message] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let base = directory.appendingPathComponent(String(name.dropLast(4)))
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathExtension("json"))) as? [String: Any]
            return Message(
                mailFrom: envelope?["mail_from"] as? String ?? "",
                recipients: envelope?["rcpt_tos"] as? [String] ?? [],
                data: Array(try Data(contentsOf: base.appendingPathExtension("eml")))
            )
        }
    }
}
