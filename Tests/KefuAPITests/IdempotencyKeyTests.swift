import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `Idempotency-Key` on intake: per tenant, kept with the ticket, bound to the request it came with.
final class IdempotencyKeyTests: TicketTestCase {
    private let body: [String: Any] = [
        "customer": ["name": "Retry Ren"], "channel": "web_form", "category": "inquiry",
        "description": "Where is my invoice?",
    ]

    private func ticketCount() async throws -> Int {
        try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM tickets") ?? -1
    }

    func testTheSameKeyWithAnotherBodyIsRefusedAndCreatesNothing() async throws {
        let first = try await intake(body, idempotencyKey: "order-77")
        XCTAssertEqual(first.status, .created, first.raw)
        var changed = body
        changed["description"] = "Where is my refund?"
        let reused = try await intake(changed, idempotencyKey: "order-77")
        XCTAssertEqual(reused.status, .unprocessableContent, reused.raw)
        XCTAssertEqual(reused.errorCode, "idempotency_key_reused")
        XCTAssertEqual(reused.errorField, "Idempotency-Key")
        let count = try await ticketCount()
        XCTAssertEqual(count, 1)
        let stored = try await ownerPool.queryScalar(String.self, "SELECT description FROM tickets")
        XCTAssertEqual(stored, "Where is my invoice?")
    }

    func testTheSameRequestWrittenDifferentlyGetsTheFirstTicket() async throws {
        let first = try await intake(body, idempotencyKey: "order-78")
        // Same fields, other key order and spacing.
        let text = """
            { "description" : "Where is my invoice?", "category": "inquiry",
              "channel": "web_form", "customer": {"name": "Retry Ren"} }
            """
        let again = try await withAPI { [key] api in
            try await api.send(.post, "/v1/tickets", key: key, body: text, headers: ["Idempotency-Key": "order-78"])
        }
        XCTAssertEqual(again.status, .ok, again.raw)
        XCTAssertEqual(again["id"]?.string, first["id"]?.string)
        let count = try await ticketCount()
        XCTAssertEqual(count, 1)
        let fingerprint = try await ownerPool.queryScalar(Int.self, "SELECT length(idempotency_fingerprint) FROM tickets")
        XCTAssertEqual(fingerprint, 32, "the SHA-256 of the request is stored with the key")
    }

    func testKeysAreScopedToTheTenant() async throws {
        let other = try await makeTenant("globex")
        let ours = try await intake(body, idempotencyKey: "shared-key")
        let text = json(body)
        let theirs = try await withAPI { api in
            try await api.send(.post, "/v1/tickets", key: other.apiKey, body: text, headers: ["Idempotency-Key": "shared-key"])
        }
        XCTAssertEqual(theirs.status, .created, theirs.raw)
        XCTAssertNotEqual(theirs["id"]?.string, ours["id"]?.string)
        let changed = try await withAPI { api in
            try await api.send(
                .post,
                "/v1/tickets",
                key: other.apiKey,
                body: json([
                    "customer": ["name": "Other"], "channel": "chat",
                    "category": "fault", "description": "x",
                ]),
                headers: ["Idempotency-Key": "shared-key"]
            )
        }
        XCTAssertEqual(changed.errorCode, "idempotency_key_reused", "each tenant's key is bound to its own first request")
    }

    func testConcurrentRetriesWithOneKeyCreateOneTicket() async throws {
        let text = json(body)
        let replies = try await withAPI { [key] api in
            try await withThrowingTaskGroup(of: APIClient.Reply.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await api.send(.post, "/v1/tickets", key: key, body: text, headers: ["Idempotency-Key": "burst"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        XCTAssertEqual(replies.filter { $0.status == .created }.count, 1)
        XCTAssertEqual(Set(replies.compactMap { $0["id"]?.string }).count, 1, replies.map(\.raw).joined(separator: "\n"))
        let count = try await ticketCount()
        XCTAssertEqual(count, 1)
    }
}
