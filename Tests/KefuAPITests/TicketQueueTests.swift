import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class TicketQueueTests: TicketTestCase {
    func testQueuesFilterSortAndPaginate() async throws {
        let mine = try await addAgent("Mine Ma", tier: "mid")
        let mineKey = try await keyFor(mine)
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Queue Qu"))
        var ids: [String] = []
        for (n, (priority, category)) in [("P1", "fault"), ("P2", "complaint"), ("P3", "inquiry"), ("P4", "suggestion"), ("P1", "fault")].enumerated()
        {
            clock.set(minutes(Double(n)))
            let reply = try await intake([
                "customer_id": customer.id.uuidString, "channel": n == 4 ? "email" : "chat",
                "category": category, "priority": priority, "description": "ticket \(n)",
            ])
            ids.append(try require(reply["id"]?.string))
        }
        clock.set(minutes(30))
        _ = try await act(ids[1], "respond", ["body": "late answer"], as: mineKey)  // P2 due at +31 min: on time, complaint feedback late
        _ = try await act(ids[0], "respond", ["body": "late answer"], as: mineKey)  // P1 due at +10 min: breached

        func items(_ query: String) async throws -> [String] {
            let reply = try await get("/v1/tickets?\(query)")
            XCTAssertEqual(reply.status, .ok, "\(query): \(reply.raw)")
            return (reply["items"]?.array ?? []).compactMap { $0["id"]?.string }
        }
        let p1 = try await items("priority=P1")
        XCTAssertEqual(p1, [ids[0], ids[4]])
        let urgent = try await items("priority=p1,P2&sort=-created_at")
        XCTAssertEqual(urgent, [ids[4], ids[1], ids[0]])
        let inProgress = try await items("status=in_progress")
        XCTAssertEqual(Set(inProgress), [ids[0], ids[1]])
        // Several statuses: merged per-status ranges, still in one order and paginated across statuses.
        let open = try await items("status=assigned,in_progress")
        XCTAssertEqual(open, ids)
        let openNewest = try await items("status=in_progress,assigned&sort=-created_at")
        XCTAssertEqual(openNewest, ids.reversed())
        let answered = try await items("status=resolved,in_progress")
        XCTAssertEqual(answered, [ids[0], ids[1]])
        let pagedNewest = try await allPages("status=assigned,in_progress&sort=-created_at&limit=2")
        XCTAssertEqual(pagedNewest.ids, ids.reversed())
        XCTAssertEqual(pagedNewest.pages, 3)
        let mineOpen = try await withAPI { api in try await api.get("/v1/tickets?owner_id=me&status=assigned,in_progress&priority=P1", key: mineKey) }
        XCTAssertEqual((mineOpen["items"]?.array ?? []).compactMap { $0["id"]?.string }, [ids[0], ids[4]])
        let breached = try await items("breached=true")
        XCTAssertEqual(breached, [ids[0], ids[1]], "P1 answered after 10 min; the complaint missed its 5 min first feedback")
        let email = try await items("channel=email")
        XCTAssertEqual(email, [ids[4]])
        let complaints = try await items("category=complaint")
        XCTAssertEqual(complaints, [ids[1]])
        let byCustomer = try await items("customer_id=\(customer.id.uuidString)&limit=2")
        XCTAssertEqual(byCustomer, [ids[0], ids[1]])
        // Due before 09:00 tomorrow: unanswered P1 and P3 first responses, and the answered tickets'
        // progress updates; the P4 (24 business hours) is not due yet.
        let due = try await items("due_before=2025-11-26T01:00:00Z")
        XCTAssertEqual(Set(due), [ids[0], ids[1], ids[2], ids[4]])
        let mineQueue = try await withAPI { api in try await api.get("/v1/tickets?owner_id=me", key: mineKey) }
        XCTAssertEqual(mineQueue["items"]?.array?.count, 5, "the only on-duty agent owns every ticket")

        let paged = try await allPages("limit=2")
        XCTAssertEqual(paged.ids, ids)
        XCTAssertEqual(paged.pages, 3)

        for bad in ["status=done", "priority=P7", "sort=priority", "breached=maybe", "due_before=tomorrow", "owner_id=x"] {
            let reply = try await get("/v1/tickets?\(bad)")
            XCTAssertEqual(reply.status, .unprocessableContent, bad)
            XCTAssertEqual(reply.errorField, String(bad.prefix { $0 != "=" }))
        }
    }

    /// Follows `next_cursor` from the first page of `/v1/tickets?query` (at most 10 pages).
    private func allPages(_ query: String) async throws -> (ids: [String], pages: Int) {
        var pages = 0
        var seen: [String] = []
        var cursor: String?
        repeat {
            let reply = try await get("/v1/tickets?\(query)" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(reply.status, .ok, reply.raw)
            seen += (reply["items"]?.array ?? []).compactMap { $0["id"]?.string }
            cursor = reply["next_cursor"]?.string
            pages += 1
        } while cursor != nil && pages < 10
        return (seen, pages)
    }

    func testAnotherTenantsTicketsAreInvisible() async throws {
        try await addAgent("Mine Ma")
        let created = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "fault", "description": "ours"])
        let id = try require(created["id"]?.string)
        let other = try await makeTenant("other")
        for path in ["/v1/tickets/\(id)", "/v1/tickets/\(id)/events", "/v1/tickets/\(id)/messages", "/v1/tickets/\(id)/assignments"] {
            let reply = try await withAPI { api in try await api.get(path, key: other.apiKey) }
            XCTAssertEqual(reply.status, .notFound, path)
        }
        let respond = try await withAPI { api in try await api.post("/v1/tickets/\(id)/notes", key: other.apiKey, json(["body": "x"])) }
        XCTAssertEqual(respond.status, .notFound)
        let list = try await withAPI { api in try await api.get("/v1/tickets", key: other.apiKey) }
        XCTAssertEqual(list["items"]?.array?.count, 0)
        let notes = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_messages WHERE visibility = 'internal'")
        XCTAssertEqual(notes, 0)
    }
}
