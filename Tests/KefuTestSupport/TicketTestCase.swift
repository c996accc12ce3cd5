import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import XCTest

/// Ticket tests run at exact instants: Tuesday 2025-11-25 10:00 in Shanghai (02:00 UTC) unless moved.
open class TicketTestCase: APITestCase {
    /// Tuesday 2025-11-25 10:00 Asia/Shanghai.
    public static let tuesdayTen = Date(timeIntervalSince1970: 1_764_036_000)
    public var tenant: TenantCreation!

    open override func setUp() async throws {
        try await super.setUp()
        clock.set(Self.tuesdayTen)
        tenant = try await makeTenant("acme")
    }

    public var key: String { tenant.apiKey }
    public var tenantID: UUID { tenant.tenant.id }

    @discardableResult
    public func addAgent(
        _ name: String,
        tier: String = "junior",
        skills: [String] = [],
        role: String = "agent",
        duty: String = "on_duty"
    ) async throws -> Agent {
        try await services.agents.create(
            tenantID,
            NewAgent(
                name: name,
                email: "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@acme.cn",
                role: role,
                tier: tier,
                skills: skills,
                dutyStatus: duty
            )
        )
    }

    public func keyFor(_ agent: Agent) async throws -> String {
        try await services.apiKeys.create(tenantID, agentID: agent.id, name: agent.name).apiKey
    }

    public func addRule(_ body: [String: Any]) async throws {
        let text = json(body)
        let reply = try await withAPI { [key] api in try await api.post("/v1/routing-rules", key: key, text) }
        XCTAssertEqual(reply.status, .created, reply.raw)
    }

    /// Intake through the API; returns the reply.
    public func intake(_ body: [String: Any], idempotencyKey: String? = nil) async throws -> APIClient.Reply {
        let text = json(body)
        var headers: [String: String] = [:]
        if let idempotencyKey { headers["Idempotency-Key"] = idempotencyKey }
        return try await withAPI { [key, headers] api in try await api.send(.post, "/v1/tickets", key: key, body: text, headers: headers) }
    }

    /// Survey tokens by ticket id, as `resolve` answered them (the one time they are shown).
    public var surveyTokens: [String: String] = [:]

    /// POST /v1/tickets/{id}/<action> with `key`.
    public func act(_ ticket: String, _ action: String, _ body: [String: Any] = [:], as agentKey: String? = nil) async throws -> APIClient.Reply {
        let text = json(body)
        let caller = agentKey ?? key
        let reply = try await withAPI { api in try await api.post("/v1/tickets/\(ticket)/\(action)", key: caller, text) }
        if let token = reply.headers[HTTPField.Name("Survey-Token")!] { surveyTokens[ticket] = token }
        return reply
    }

    /// The survey token of the ticket's latest resolution through `act`.
    public func surveyToken(_ ticket: String) throws -> String { try require(surveyTokens[ticket]) }

    public func get(_ path: String) async throws -> APIClient.Reply {
        try await withAPI { [key] api in try await api.get(path, key: key) }
    }

    public func date(_ value: JSONValue?) -> Date? { value?.string.flatMap(KefuJSON.parse) }

    public func minutes(_ minutes: Double, after start: Date = TicketTestCase.tuesdayTen) -> Date {
        start.addingTimeInterval(minutes * 60)
    }
}
