import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// One parser for query parameters: every bad, empty or repeated value is 422 naming it; list
/// parameters are deduplicated and capped, and cannot grow the prepared-statement cache.
final class QueryParameterTests: TicketTestCase {
    func testEveryBadValueIs422NamingTheParameter() async throws {
        let cases = [
            ("/v1/training/certificates?agent_id=not-a-uuid", "agent_id"),
            ("/v1/training/enrolments?agent_id=", "agent_id"),
            ("/v1/notifications?unread=foo", "unread"),
            ("/v1/notifications?all=yes", "all"),
            ("/v1/kb/articles?q=refund&published=maybe", "published"),
            ("/v1/tickets?tag_id=", "tag_id"),
            ("/v1/tickets?owner_id=me&owner_id=me", "owner_id"),
            ("/v1/tickets?status=new,bogus", "status"),
            ("/v1/tickets?breached=1", "breached"),
            ("/v1/kb/gaps?to=", "to"),
            ("/v1/kb/gaps?min_tickets=0", "min_tickets"),
            ("/v1/reports/weekly?week_start=", "week_start"),
            ("/v1/reports/qa?agent_id=42", "agent_id"),
            ("/v1/customers?q=a%00b", "q"),
            ("/v1/customers?limit=0", "limit"),
            ("/v1/customers?limit=1e2", "limit"),
        ]
        for (path, field) in cases {
            let reply = try await get(path)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(path): \(reply.raw)")
            XCTAssertEqual(reply.errorCode, "invalid_field", path)
            XCTAssertEqual(reply.errorField, field, path)
        }
    }

    func testTheSessionsOfAnUnknownCourseAreNotFound() async throws {
        let reply = try await get("/v1/training/courses/\(UUID())/sessions")
        XCTAssertEqual(reply.status, .notFound, reply.raw)
    }

    func testRepeatedStatusesAreDeduplicatedAndCapped() async throws {
        _ = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "description": "x"])
        let many = Array(repeating: "status=new", count: 5_000).joined(separator: "&")
        let started = Date()
        let refused = try await get("/v1/tickets?\(many)")
        XCTAssertEqual(refused.status, .unprocessableContent, refused.raw)
        XCTAssertEqual(refused.errorField, "status")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "refused before any planning")

        let repeated = try await get("/v1/tickets?" + Array(repeating: "status=new", count: 50).joined(separator: "&") + "&status=assigned,new")
        XCTAssertEqual(repeated.status, .ok, repeated.raw)
        XCTAssertEqual(repeated["items"]?.array?.count, 1, "the ticket once, whatever the repeats")
    }

    /// The statuses are one array parameter: any number of them is the same statement.
    func testStatusListsOfAnyLengthShareOnePreparedStatement() async throws {
        let single = ConnectionPool(database.appConfiguration, configuration: .init(maxConnections: 1))
        services = KefuServices(pool: single, clock: clock)
        let statuses = TicketStatus.allCases.map(\.rawValue)
        for count in 2...statuses.count {
            let reply = try await get("/v1/tickets?status=" + statuses.prefix(count).joined(separator: ","))
            XCTAssertEqual(reply.status, .ok, reply.raw)
        }
        let prepared = try await single.query(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%CROSS JOIN LATERAL%' AND statement NOT LIKE '%pg_prepared%'"
        )
        await single.shutdown()
        let statements = try prepared.map { try $0.decode(String.self, "statement") }
        XCTAssertEqual(statements.count, 1, "\(statements)")
    }
}
