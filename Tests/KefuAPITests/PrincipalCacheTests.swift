import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// `kefu serve` keeps resolved API keys for `KEFU_AUTH_CACHE_SECONDS`: changes this process makes
/// apply at once, changes made elsewhere within the lifetime, and nothing else is cached.
final class PrincipalCacheTests: APITestCase {
    /// A monotonic clock the test moves by hand.
    private final class Elapsed: @unchecked Sendable {
        private let lock = NSLock()
        private let start = ContinuousClock.now
        private var offset = Duration.zero
        func now() -> ContinuousClock.Instant { lock.withLock { start + offset } }
        func advance(_ duration: Duration) { lock.withLock { offset += duration } }
    }

    private let elapsed = Elapsed()
    private var cache: PrincipalCache!

    override func setUp() async throws {
        try await super.setUp()
        let elapsed = self.elapsed
        cache = PrincipalCache(lifetime: .seconds(2), now: { elapsed.now() })
        services = KefuServices(pool: appPool, clock: clock, principals: cache)
    }

    func testAKeyIsLookedUpOncePerLifetimeAndAChangeElsewhereAppliesAfterIt() async throws {
        let a = try await makeTenant("alpha")
        let other = try await services.apiKeys.create(a.tenant.id, agentID: a.admin.id, name: "cached")
        try await withAPI { api in
            for _ in 0..<5 {
                let me = try await api.get("/v1/me", key: other.apiKey)
                XCTAssertEqual(me.status, .ok)
            }
        }
        XCTAssertEqual(cache.count, 1)
        // Revoked by another process (as another replica would): trusted until the entry expires.
        try await ownerPool.execute("UPDATE api_keys SET revoked_at = now() WHERE id = \(other.key.id)")
        elapsed.advance(.milliseconds(1_900))
        try await withAPI { api in
            let stale = try await api.get("/v1/me", key: other.apiKey).status
            XCTAssertEqual(stale, .ok, "within the lifetime")
        }
        elapsed.advance(.milliseconds(200))
        try await withAPI { api in
            let refused = try await api.get("/v1/me", key: other.apiKey).status
            XCTAssertEqual(refused, .unauthorized, "looked up again after the lifetime")
            let again = try await api.get("/v1/me", key: other.apiKey).status
            XCTAssertEqual(again, .unauthorized, "refusals are not cached as successes")
        }
    }

    func testRevokingAKeyOrDemotingAnAgentHereAppliesAtOnce() async throws {
        let a = try await makeTenant("alpha")
        let second = try await services.agents.create(a.tenant.id, NewAgent(name: "Second", email: "s@alpha.cn", role: "admin"))
        let secondKey = try await services.apiKeys.create(a.tenant.id, agentID: second.id, name: "second").apiKey
        let spare = try await services.apiKeys.create(a.tenant.id, agentID: a.admin.id, name: "spare")
        try await withAPI { api in
            let warm = try await api.get("/v1/api-keys", key: secondKey).status
            XCTAssertEqual(warm, .ok)
            let spareWarm = try await api.get("/v1/me", key: spare.apiKey).status
            XCTAssertEqual(spareWarm, .ok)

            let revoked = try await api.delete("/v1/api-keys/\(spare.key.id)", key: a.apiKey)
            XCTAssertEqual(revoked.status, .ok)
            let spareAfter = try await api.get("/v1/me", key: spare.apiKey).status
            XCTAssertEqual(spareAfter, .unauthorized)

            let demoted = try await api.send(.patch, "/v1/agents/\(second.id)", key: a.apiKey, body: #"{"role": "agent"}"#)
            XCTAssertEqual(demoted.status, .ok, demoted.raw)
            let adminOnly = try await api.get("/v1/api-keys", key: secondKey).status
            XCTAssertEqual(adminOnly, .forbidden, "the new role applies to the next request")

            let deactivated = try await api.send(.patch, "/v1/agents/\(second.id)", key: a.apiKey, body: #"{"active": false}"#)
            XCTAssertEqual(deactivated.status, .ok, deactivated.raw)
            let gone = try await api.get("/v1/me", key: secondKey).status
            XCTAssertEqual(gone, .unauthorized)
        }
    }

    func testTheLifetimeComesFromTheEnvironment() throws {
        XCTAssertEqual(try KefuEnvironment.fromProcess([:]).authCacheSeconds, 2)
        XCTAssertEqual(try KefuEnvironment.fromProcess(["KEFU_AUTH_CACHE_SECONDS": "0"]).authCacheSeconds, 0)
        XCTAssertThrowsError(try KefuEnvironment.fromProcess(["KEFU_AUTH_CACHE_SECONDS": "-1"])) { error in
            XCTAssertTrue("\(error)".contains("KEFU_AUTH_CACHE_SECONDS"))
        }
    }
}
