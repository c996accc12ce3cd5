import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Read replicas (issue 16 §2) against a real standby: queue pages, searches and reports come from
/// the replica while it is within its lag bound; the caller that just wrote, and a caller asking
/// with `Kefu-Consistency: strong`, read the primary; a replica that is behind or down sends the
/// reads to the primary, `/readyz` still answers for the primary, and `/metrics` shows it.
final class ReadReplicaTests: APITestCase {
    private var pair: ReplicaPair!
    private var replicaPools: [ConnectionPool] = []
    private var standbyOwner: ConnectionPool!
    private var admin: String!
    private var reader: String!

    override func setUp() async throws {
        pair = try await ReplicaPair()
        appPool = ConnectionPool(pair.configuration(standby: false, user: "kefu_app"), configuration: .init(maxConnections: 8))
        ownerPool = ConnectionPool(pair.configuration(standby: false), configuration: .init(maxConnections: 4))
        standbyOwner = ConnectionPool(pair.configuration(standby: true), configuration: .init(maxConnections: 2))
        clock = ManualClock(Date(timeIntervalSince1970: 1_764_000_000))
        services = try await servicesWith(maxLag: 30, probeInterval: 0)
        let tenant = try await makeTenant("replica-shop")
        admin = tenant.apiKey
        let agent = try await services.agents.create(
            tenant.tenant.id,
            NewAgent(name: "Reader Du", email: "reader@shop.cn", role: "agent", tier: "mid", skills: [], dutyStatus: "away")
        )
        reader = try await services.apiKeys.create(tenant.tenant.id, agentID: agent.id, name: "reader").apiKey
    }

    override func tearDown() async throws {
        for pool in replicaPools { await pool.shutdown() }
        await standbyOwner?.shutdown()
        try await super.tearDown()
        pair?.stop()
    }

    /// Services whose lag-tolerant reads may go to the standby.
    private func servicesWith(maxLag: TimeInterval, probeInterval: TimeInterval) async throws -> KefuServices {
        let pool = ConnectionPool(pair.configuration(standby: true, user: "kefu_app"), configuration: .init(maxConnections: 4))
        replicaPools.append(pool)
        return KefuServices(
            pool: appPool,
            clock: clock,
            replica: ReadReplica(pool: pool, primary: appPool, maxLag: maxLag, probeInterval: probeInterval)
        )
    }

    private func intake(_ description: String) async throws -> String {
        let body = json(["customer": ["name": "Zhou"], "channel": "chat", "category": "inquiry", "description": description])
        let reply = try await withAPI { [admin] api in try await api.post("/v1/tickets", key: admin, body) }
        XCTAssertEqual(reply.status, .created, reply.raw)
        return try require(reply["id"]?.string)
    }

    private func queue(_ key: String, strong: Bool = false) async throws -> [String] {
        let reply = try await withAPI { api in
            try await api.send(.get, "/v1/tickets", key: key, headers: strong ? ["Kefu-Consistency": "strong"] : [:])
        }
        XCTAssertEqual(reply.status, .ok, reply.raw)
        return reply["items"]?.array?.compactMap { $0["id"]?.string } ?? []
    }

    private func metrics() async throws -> String {
        try await withAPI { api in try await api.get("/metrics", key: nil) }.raw
    }

    func testQueuePagesComeFromTheReplicaTheWriterAndStrongReadsFromThePrimary() async throws {
        let first = try await intake("第一张")
        try await pair.waitForReplay()
        let warm = try await queue(reader)
        XCTAssertEqual(warm, [first], "caught up: the replica serves")
        _ = try await standbyOwner.query("SELECT pg_wal_replay_pause()")
        let second = try await intake("第二张")

        let fromReplica = try await queue(reader)
        XCTAssertEqual(fromReplica, [first], "the replica (replay paused) does not have the second ticket yet: the page came from it")
        let forTheWriter = try await queue(admin)
        XCTAssertEqual(Set(forTheWriter), [first, second], "the caller who just wrote reads the primary")
        let strong = try await queue(reader, strong: true)
        XCTAssertEqual(Set(strong), [first, second], "Kefu-Consistency: strong reads the primary")
        let one = try await withAPI { [reader] api in try await api.get("/v1/tickets/\(second)", key: reader) }
        XCTAssertEqual(one.status, .ok, "a single ticket is always read from the primary: \(one.raw)")
        let report = try await withAPI { [reader] api in try await api.get("/v1/reports/weekly?week=2025-W48", key: reader) }
        XCTAssertEqual(report.status, .ok, report.raw)
        XCTAssertEqual(services.database.replica?.statistics.fresh, true)
        XCTAssertGreaterThanOrEqual(services.database.replica?.statistics.served ?? 0, 3, "the two pages and the report")

        // Behind its bound (1 s: it has not replayed what the primary had written then) the replica
        // serves nothing: the same page comes from the primary.
        services = try await servicesWith(maxLag: 1, probeInterval: 0)
        let behind = try await queue(reader)
        XCTAssertEqual(Set(behind), [first, second], "a replica more than its bound behind is not read")
        let statistics = try require(services.database.replica?.statistics)
        XCTAssertFalse(statistics.fresh)
        XCTAssertEqual(statistics.fallbacks, 1)
        XCTAssertTrue(statistics.problem?.contains("behind") == true, "\(statistics)")
        let scraped = try await metrics()
        XCTAssertTrue(scraped.contains("kefu_read_replica_serving 0"), scraped)
        XCTAssertTrue(scraped.contains("kefu_read_replica_fallbacks_total"), scraped)

        _ = try await standbyOwner.query("SELECT pg_wal_replay_resume()")
        try await pair.waitForReplay()
        let caughtUp = try await queue(reader)
        XCTAssertEqual(Set(caughtUp), [first, second], "caught up, it serves again")
        XCTAssertEqual(services.database.replica?.statistics.fresh, true)
    }

    func testAReplicaThatIsDownSendsItsReadsToThePrimary() async throws {
        // Probed once and found fresh; then the standby stops: the read that loses it runs on the
        // primary, and so do the reads after it until a probe finds the replica back.
        services = try await servicesWith(maxLag: 30, probeInterval: 3600)
        let first = try await intake("停机前")
        try await pair.waitForReplay()
        let before = try await queue(reader)
        XCTAssertEqual(before, [first])
        XCTAssertEqual(services.database.replica?.statistics.served, 1)

        pair.standby.stopImmediately()
        let second = try await intake("停机后")
        let during = try await queue(reader)
        XCTAssertEqual(Set(during), [first, second], "the primary answered")
        let again = try await queue(reader)
        XCTAssertEqual(Set(again), [first, second])
        let statistics = try require(services.database.replica?.statistics)
        XCTAssertFalse(statistics.fresh)
        XCTAssertEqual(statistics.fallbacks, 2, "\(statistics)")
        let ready = try await withAPI { api in try await api.get("/readyz", key: nil) }
        XCTAssertEqual(ready.status, .ok, "readiness is the primary's: \(ready.raw)")
        let search = try await withAPI { [reader] api in try await api.get("/v1/tickets?q=%E5%81%9C%E6%9C%BA", key: reader) }
        XCTAssertEqual(search.status, .ok, search.raw)
        XCTAssertEqual(search["items"]?.array?.count, 2, "search falls back too")
    }
}

/// The replica's configuration is checked at start-up like every variable.
final class ReadReplicaConfigurationTests: XCTestCase {
    func testTheReplicaVariablesAreCheckedAtStartUp() throws {
        let configured = try KefuEnvironment.fromProcess([
            "KEFU_READ_DATABASE_URL": "postgres://kefu_app@replica:5432/kefu", "KEFU_READ_MAX_LAG_SECONDS": "30",
        ])
        XCTAssertEqual(configured.readDatabaseURL, "postgres://kefu_app@replica:5432/kefu")
        XCTAssertEqual(configured.readMaxLagSeconds, 30)
        XCTAssertNil(try KefuEnvironment.fromProcess([:]).readDatabaseURL)
        XCTAssertEqual(try KefuEnvironment.fromProcess([:]).readMaxLagSeconds, 10)
        for (name, value) in [("KEFU_READ_MAX_LAG_SECONDS", "0"), ("KEFU_READ_MAX_LAG_SECONDS", "3601"), ("KEFU_READ_DATABASE_URL", "mysql://x")] {
            XCTAssertThrowsError(try KefuEnvironment.fromProcess([name: value]), "\(name)=\(value)") { error in
                XCTAssertTrue("\(error)".contains(name), "\(error)")
            }
        }
    }

    func testWALPositionsCompareAsNumbers() throws {
        XCTAssertEqual(try ReadReplica.lsn("0/16B3748"), 0x16B_3748)
        XCTAssertEqual(try ReadReplica.lsn("16/B374D848"), 0x16_B374_D848)
        XCTAssertLessThan(try ReadReplica.lsn("9/FFFFFFFF"), try ReadReplica.lsn("A/0"))
        XCTAssertThrowsError(try ReadReplica.lsn("nonsense"))
        XCTAssertThrowsError(try ReadReplica.lsn(nil))
    }
}
