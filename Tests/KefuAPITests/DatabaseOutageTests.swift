import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuAPI
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import Logging
import NIOConcurrencyHelpers
import XCTest

/// PostgreSQL stops under intake load: the API answers 503 quickly instead of hanging, `/readyz`
/// says so, intake works again soon after the restart, and every ticket acknowledged with a 2xx
/// is in the database afterwards. Runs on a durable cluster of its own (the shared test cluster
/// keeps running), stopped with `-m immediate` like a crash.
final class DatabaseOutageTests: XCTestCase {
    private var root: URL!
    private var cluster: EmbeddedPostgres!

    override func setUp() async throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kefu-outage-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        cluster = try EmbeddedPostgres(
            .init(
                dataDirectory: root.appendingPathComponent("data"),
                socketDirectory: root.appendingPathComponent("run"),
                port: 5432,
                unsafeFastMode: false,
                maxConnections: 50
            )
        )
        try cluster.start()
        try cluster.createDatabaseIfMissing(EmbeddedPostgres.defaultDatabase)
        try await Migrator(cluster.configuration(), migrations: Migration.load(from: TestCluster.sqlDirectory)).migrate()
    }

    override func tearDown() async throws {
        cluster?.stopImmediately()
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func testAnOutageIsAnswered503QuicklyAndNoAcknowledgedTicketIsLost() async throws {
        let owner = ConnectionPool(cluster.configuration(), configuration: .init(maxConnections: 2))
        let tenant = try await TenantAdminService(ownerPool: owner).create(NewTenant(slug: "outage", name: "Outage", timezone: "UTC"))
        await owner.shutdown()
        let pool = ConnectionPool(
            cluster.configuration().with(user: DatabaseRuntime.applicationRole),
            configuration: .init(maxConnections: 8, acquireTimeout: .seconds(1))
        )
        let services = KefuServices(pool: pool)
        let router = KefuApplication.makeRouter(services: services, configuration: .init(port: 0, maxBodyBytes: 64 * 1024))
        var quiet = Logger(label: "kefu.outage-test")
        quiet.logLevel = .critical  // hundreds of expected "database unavailable" lines
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)
        let acknowledged = NIOLockedValueBox<[UUID]>([])
        let cluster = self.cluster!

        try await app.test(.live) { client in
            @Sendable func intake(_ n: Int) async throws -> (HTTPResponse.Status, Duration, UUID?) {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(tenant.apiKey)"
                headers[.contentType] = "application/json"
                headers[HTTPField.Name("Idempotency-Key")!] = "outage-\(n)"
                let body = #"{"customer": {"name": "C\#(n)"}, "channel": "web_form", "category": "inquiry", "description": "Help \#(n)"}"#
                let start = ContinuousClock.now
                let response = try await client.execute(uri: "/v1/tickets", method: .post, headers: headers, body: ByteBuffer(string: body))
                let elapsed = ContinuousClock.now - start
                let id = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body)))
                    .flatMap { value -> UUID? in
                        guard case .object(let fields) = value, case .string(let text)? = fields["id"] else { return nil }
                        return UUID(uuidString: text)
                    }
                return (response.status, elapsed, id)
            }
            let down = NIOLockedValueBox(false)
            let slowest = NIOLockedValueBox<Duration>(.zero)
            let unexpected = NIOLockedValueBox<[String]>([])
            let counter = NIOLockedValueBox(0)
            // Four clients send intakes until told to stop.
            let stop = NIOLockedValueBox(false)
            let load = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            while !stop.withLockedValue({ $0 }) {
                                let n = counter.withLockedValue { value -> Int in
                                    value += 1
                                    return value
                                }
                                let wasDown = down.withLockedValue { $0 }
                                let (status, elapsed, id) = try await intake(n)
                                if (200..<300).contains(status.code), let id {
                                    acknowledged.withLockedValue { $0.append(id) }
                                } else if status != .serviceUnavailable {
                                    unexpected.withLockedValue { $0.append("\(status)") }
                                }
                                if wasDown { slowest.withLockedValue { $0 = max($0, elapsed) } }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await Task.sleep(for: .milliseconds(800))
            let before = acknowledged.withLockedValue { $0.count }
            XCTAssertGreaterThan(before, 0, "intake works before the outage")

            cluster.stopImmediately()
            down.withLockedValue { $0 = true }
            try await Task.sleep(for: .milliseconds(1500))
            let ready = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(ready.status, .serviceUnavailable)

            try cluster.start()
            down.withLockedValue { $0 = false }
            let restarted = ContinuousClock.now
            let countAtRestart = acknowledged.withLockedValue { $0.count }
            while acknowledged.withLockedValue({ $0.count }) == countAtRestart, ContinuousClock.now - restarted < .seconds(10) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let recovery = ContinuousClock.now - restarted
            stop.withLockedValue { $0 = true }
            try await load.value

            XCTAssertLessThan(recovery, .seconds(5), "intake works again within 5 s of the restart")
            XCTAssertLessThan(slowest.withLockedValue { $0 }, .seconds(1), "answers during the outage come within 1 s")
            XCTAssertEqual(unexpected.withLockedValue { $0 }, [], "during the outage the API answers 503, nothing else")
            let readyAgain = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(readyAgain.status, .ok)
        }
        await pool.shutdown()

        let ids = acknowledged.withLockedValue { $0 }
        let check = ConnectionPool(cluster.configuration(), configuration: .init(maxConnections: 1))
        let stored = try await check.queryScalar(Int.self, "SELECT count(*)::int FROM tickets WHERE id = ANY(\(ids))") ?? -1
        await check.shutdown()
        XCTAssertEqual(stored, Set(ids).count, "every acknowledged ticket is stored")
    }
}
