import Foundation
import KefuCLI
import KefuCore
import XCTest

/// A test case that runs `kefu` commands in-process against its own test database, with the
/// output captured.
open class CLITestCase: APITestCase {
    open override func setUp() async throws {
        try await super.setUp()
        CommandContext.environmentOverride = [
            "DATABASE_URL": database.ownerConfiguration.url(revealingPassword: true),
            "KEFU_APP_DATABASE_URL": database.appConfiguration.url(revealingPassword: true),
            "KEFU_WORKER_DATABASE_URL": database.workerConfiguration.url(revealingPassword: true),
            "KEFU_SQL_DIR": TestCluster.sqlDirectory.path,
            "KEFU_LOG_LEVEL": "error",
        ]
    }

    open override func tearDown() async throws {
        CommandContext.environmentOverride = nil
        Console.sink = { print($0) }
        try await super.tearDown()
    }

    /// Runs `kefu <arguments>` and returns what it printed.
    @discardableResult
    public func kefu(_ arguments: String...) async throws -> String {
        let lines = LineCollector()
        Console.sink = { lines.append($0) }
        try await Kefu.run(arguments: arguments)
        return lines.text
    }
}

/// Collects printed lines from the CLI.
public final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    public func append(_ line: String) { lock.withLock { lines.append(line) } }
    public var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
