import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// A P1/P2 ticket's temporary task force: formed by a supervisor with members from several
/// departments, a lead and a deadline; members are notified, find the ticket with
/// `team_member=me` and act on it like its owner until the team is disbanded.
final class TaskForceTests: TicketTestCase {
    private func team(_ cast: CollaborationCast, _ body: [String: Any], as caller: String) async throws -> APIClient.Reply {
        let text = json(body)
        return try await withAPI { [ticket = cast.ticket] api in try await api.post("/v1/tickets/\(ticket)/team", key: caller, text) }
    }

    private func queue(_ caller: String) async throws -> [String] {
        let page = try await withAPI { api in try await api.get("/v1/tickets?team_member=me", key: caller) }
        XCTAssertEqual(page.status, .ok, page.raw)
        return (page["items"]?.array ?? []).compactMap { $0["id"]?.string }
    }

    func testASupervisorFormsATaskForceWhoseMembersActLikeTheOwner() async throws {
        let cast = try await collaborationCast(priority: "P1")
        let members = [cast.member.id.uuidString, cast.outsider.id.uuidString]
        let deadline = "2025-11-25T06:00:00Z"  // 14:00 Shanghai
        let before = try await act(cast.ticket, "respond", ["body": "We are on it"], as: cast.memberKey)
        XCTAssertEqual(before.status, .forbidden, "not on the team yet: \(before.raw)")

        let body: [String: Any] = ["member_ids": members, "lead_id": cast.member.id.uuidString, "deadline": deadline]
        let byAgent = try await team(cast, body, as: cast.ownerKey)
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.raw)
        for (bad, field) in [
            (["member_ids": members, "lead_id": cast.supervisor.id.uuidString, "deadline": deadline], "lead_id"),
            (["member_ids": [String](), "lead_id": cast.member.id.uuidString, "deadline": deadline], "member_ids"),
            (["member_ids": [cast.member.id.uuidString], "lead_id": cast.member.id.uuidString, "deadline": deadline], "member_ids"),
            (["member_ids": members, "lead_id": cast.member.id.uuidString, "deadline": "2025-11-25T01:00:00Z"], "deadline"),
            (["member_ids": members + [UUID().uuidString], "lead_id": cast.member.id.uuidString, "deadline": deadline], "member_ids"),
        ] as [([String: Any], String)] {
            let refused = try await team(cast, bad, as: cast.supervisorKey)
            XCTAssertEqual(refused.status, .unprocessableContent, refused.raw)
            XCTAssertEqual(refused.errorField, field, refused.raw)
        }
        let formed = try await team(cast, body, as: cast.supervisorKey)
        XCTAssertEqual(formed.status, .created, formed.raw)
        XCTAssertEqual(Set((formed["member_ids"]?.array ?? []).compactMap(\.string)), Set(members))
        XCTAssertEqual(formed["lead_id"]?.string, cast.member.id.uuidString)
        XCTAssertEqual(date(formed["deadline"]), minutes(240))
        let twice = try await team(cast, body, as: cast.supervisorKey)
        XCTAssertEqual(twice.status, .conflict, twice.raw)
        for member in [cast.member, cast.outsider] {
            let told = try await notifications("team_member", to: member.id, cast.ticket)
            XCTAssertEqual(told, 1, member.name)
        }
        let read = try await get("/v1/tickets/\(cast.ticket)/team")
        XCTAssertEqual(read["id"]?.string, formed["id"]?.string, read.raw)
        let memberQueue = try await queue(cast.memberKey)
        XCTAssertEqual(memberQueue, [cast.ticket])
        let ownerQueue = try await queue(cast.ownerKey)
        XCTAssertEqual(ownerQueue, [])
        let events = try await eventKinds(cast.ticket)
        XCTAssertTrue(events.contains("team_formed"))

        // Members act like the owner.
        let asMember = try await act(cast.ticket, "respond", ["body": "We are on it"], as: cast.memberKey)
        XCTAssertEqual(asMember.status, .ok, asMember.raw)
        let planByMember = try await act(cast.ticket, "plan", ["body": "Roll back the release"], as: cast.outsiderKey)
        XCTAssertEqual(planByMember.status, .ok, planByMember.raw)

        // The deadline passes with the ticket open: the lead and the supervisor are reminded.
        try await sweep(at: minutes(239))
        let early = try await notifications("team_deadline_passed", to: cast.member.id, cast.ticket)
        XCTAssertEqual(early, 0)
        try await sweep(at: minutes(240))
        for recipient in [cast.member.id, cast.supervisor.id] {
            let reminded = try await notifications("team_deadline_passed", to: recipient, cast.ticket)
            XCTAssertEqual(reminded, 1)
        }

        // Disbanded: members are back to their own rights.
        let disbanded = try await withAPI { [ticket = cast.ticket, key = cast.supervisorKey] api in
            try await api.send(.delete, "/v1/tickets/\(ticket)/team", key: key)
        }
        XCTAssertEqual(disbanded.status, .ok, disbanded.raw)
        XCTAssertNotNil(date(disbanded["disbanded_at"]))
        let gone = try await get("/v1/tickets/\(cast.ticket)/team")
        XCTAssertEqual(gone.status, .notFound, gone.raw)
        let after = try await act(cast.ticket, "respond", ["body": "Still here"], as: cast.memberKey)
        XCTAssertEqual(after.status, .forbidden, after.raw)
        let emptyQueue = try await queue(cast.memberKey)
        XCTAssertEqual(emptyQueue, [])
    }

    func testATaskForceSpansAtLeastTwoTeams() async throws {
        let cast = try await collaborationCast(priority: "P2")
        let billing = try require(UUID(uuidString: cast.departmentID))
        let colleague = try await departmentAgent("Cai Wen", billing)
        let deadline = "2025-11-25T06:00:00Z"
        let oneDepartment: [String: Any] = [
            "member_ids": [cast.member.id.uuidString, colleague.id.uuidString], "lead_id": cast.member.id.uuidString, "deadline": deadline,
        ]
        let refused = try await team(cast, oneDepartment, as: cast.supervisorKey)
        XCTAssertEqual(refused.status, .unprocessableContent, refused.raw)
        XCTAssertEqual(refused.errorField, "member_ids", refused.raw)
        let notFormed = try await get("/v1/tickets/\(cast.ticket)/team")
        XCTAssertEqual(notFormed.status, .notFound, "nothing half-written: \(notFormed.raw)")

        // The front line (the owner has no department) and one department span two teams.
        let frontLine: [String: Any] = [
            "member_ids": [cast.member.id.uuidString, cast.owner.id.uuidString], "lead_id": cast.owner.id.uuidString, "deadline": deadline,
        ]
        let formed = try await team(cast, frontLine, as: cast.supervisorKey)
        XCTAssertEqual(formed.status, .created, formed.raw)
        let events = try await get("/v1/tickets/\(cast.ticket)/events")
        let teamFormed = events["items"]?.array?.first { $0["kind"]?.string == "team_formed" }
        XCTAssertEqual(teamFormed?["after"]?["departments"]?.number, 1, events.raw)
    }

    func testATaskForceIsForOpenP1AndP2TicketsOfTheTenant() async throws {
        let cast = try await collaborationCast(priority: "P3")
        let body: [String: Any] = [
            "member_ids": [cast.member.id.uuidString, cast.outsider.id.uuidString], "lead_id": cast.member.id.uuidString,
            "deadline": "2025-11-25T06:00:00Z",
        ]
        let p3 = try await team(cast, body, as: cast.supervisorKey)
        XCTAssertEqual(p3.status, .conflict, p3.raw)
        let other = try await makeTenant("other")
        let foreign = try await team(cast, body, as: other.apiKey)
        XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        for method in [HTTPRequest.Method.get, .delete] {
            let reply = try await withAPI { [ticket = cast.ticket] api in try await api.send(method, "/v1/tickets/\(ticket)/team", key: other.apiKey)
            }
            XCTAssertEqual(reply.status, .notFound, reply.raw)
        }
        let badFilter = try await get("/v1/tickets?team_member=someone")
        XCTAssertEqual(badFilter.errorField, "team_member", badFilter.raw)
    }
}
