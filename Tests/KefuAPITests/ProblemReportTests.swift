import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The problem feedback form (third handling stage) through `/v1/problem-reports`: filed when a
/// leaf tag is resolved 5 times within 7 days, filled in and moved open → submitted → accepted →
/// done, due within 24 h of filing (breach and reminder at the exact instant), counted in the
/// weekly report. Tuesday 2025-11-25 10:00 Shanghai (02:00 UTC).
final class ProblemReportTests: TicketTestCase {
    private var supervisor: Agent!
    private var supervisorKey: String!
    private var qaKey: String!

    override func setUp() async throws {
        try await super.setUp()
        try await addAgent("Agent An", tier: "mid")
        supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "away")
        supervisorKey = try await keyFor(supervisor)
        qaKey = try await keyFor(try await addAgent("Qa Qi", role: "qa", duty: "away"))
    }

    /// A level-3 (leaf) tag under its own root and middle tags.
    private func leafTag(_ name: String) async throws -> UUID {
        let root = try await services.tags.create(tenantID, NewTag(name: "\(name) area"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "\(name) feature", parentId: root.id))
        return try await services.tags.create(tenantID, NewTag(name: name, parentId: middle.id)).id
    }

    /// `times` tickets of new customers tagged `tags`, each resolved now; returns their ids.
    @discardableResult
    private func resolveRecurring(_ tags: [UUID], times: Int = 5) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<times {
            let created = try await intake([
                "customer": ["name": "Customer \(index)"], "channel": "chat", "category": "fault",
                "description": "Payment fails at checkout", "tag_ids": tags.map(\.uuidString),
            ])
            let id = try require(created["id"]?.string, created.raw)
            let resolved = try await act(id, "resolve", ["solution_summary": "Retried the payment"])
            XCTAssertEqual(resolved.status, .ok, resolved.raw)
            ids.append(id)
        }
        return ids
    }

    private func reports(_ query: String = "", key callerKey: String? = nil) async throws -> APIClient.Reply {
        let caller = callerKey ?? key
        return try await withAPI { api in try await api.get("/v1/problem-reports\(query)", key: caller) }
    }

    private func patch(_ id: String, _ body: [String: Any], as callerKey: String? = nil) async throws -> APIClient.Reply {
        let caller = callerKey ?? supervisorKey!
        let text = json(body)
        return try await withAPI { api in try await api.patch("/v1/problem-reports/\(id)", key: caller, text) }
    }

    /// The one report filed for `tag` after five resolutions.
    private func fileOne(_ name: String = "payment error") async throws -> (id: String, tickets: [String]) {
        let tag = try await leafTag(name)
        let tickets = try await resolveRecurring([tag])
        let list = try await reports()
        let id = try require(list["items"]?.array?.first?["id"]?.string, list.raw)
        return (id, tickets)
    }

    private func department(_ name: String) async throws -> String {
        try await services.departments.create(tenantID, NewDepartment(name: name)).id.uuidString
    }

    private func sweep() async throws -> SweepReport { try await worker.timers.sweep() }

    /// The report's deadline timer: when it finished (nil while pending) and how often it was claimed.
    private func deadline(_ id: String) async throws -> (done: Date?, attempts: Int) {
        let row = try require(
            try await ownerPool.queryFirst(
                "SELECT done_at, attempts FROM record_timers WHERE kind = 'problem_report' AND record_id = \(UUID(uuidString: id)!)"
            )
        )
        return (try row.decode(Date?.self, "done_at"), try row.decode(Int.self, "attempts"))
    }

    private func notifications(_ kind: String) async throws -> [UUID] {
        try await ownerPool.query("SELECT recipient_id FROM notifications WHERE kind = \(kind) ORDER BY recipient_id").map {
            try $0.decode(UUID.self, "recipient_id")
        }
    }

    func testTheFifthResolutionOfALeafTagWithinSevenDaysFilesAReportTheAPIShows() async throws {
        let tag = try await leafTag("payment error")
        let tickets = try await resolveRecurring([tag], times: 4)
        let none = try await reports()
        XCTAssertEqual(none["items"]?.array?.count, 0, "four resolutions are not recurring yet")
        let fifth = try await resolveRecurring([tag], times: 1)
        let list = try await reports()
        XCTAssertEqual(list.status, .ok, list.raw)
        let items = try require(list["items"]?.array)
        XCTAssertEqual(items.count, 1)
        let report = items[0]
        XCTAssertEqual(report["status"]?.string, "open")
        XCTAssertEqual(report["tag_id"]?.string, tag.uuidString)
        XCTAssertEqual(report["tag_name"]?.string, "payment error")
        XCTAssertEqual(report["week_start"]?.string, "2025-11-24")
        XCTAssertEqual(report["occurrences"]?.number, 5)
        XCTAssertEqual(Set(report["ticket_ids"]?.array?.compactMap(\.string) ?? []), Set(tickets + fifth))
        XCTAssertEqual(report["affected_customers"]?.number, 5)
        XCTAssertNil(report["problem"])
        XCTAssertEqual(date(report["created_at"]), Self.tuesdayTen)
        XCTAssertEqual(date(report["due_at"]), minutes(24 * 60), "due within 24 h of filing")
        XCTAssertNil(report["overdue_at"])
        XCTAssertNil(list["next_cursor"])

        let id = try require(report["id"]?.string)
        let one = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertEqual(one.status, .ok, one.raw)
        XCTAssertEqual(one.body, report)
        let asked = try await notifications("problem_report")
        XCTAssertEqual(asked, [supervisor.id], "the supervisors are asked for the form")
        let armed = try await ownerPool.queryScalar(
            Date.self,
            "SELECT due_at FROM record_timers WHERE kind = 'problem_report' AND record_id = \(UUID(uuidString: id)!) AND done_at IS NULL"
        )
        XCTAssertEqual(armed, minutes(24 * 60))
    }

    func testTheFormIsFilledInAndWalksOpenSubmittedAcceptedDone() async throws {
        let (id, tickets) = try await fileOne()
        let billing = try await department("Billing")
        let member = try await services.agents.create(
            tenantID,
            NewAgent(name: "Bill Bo", email: "bill@acme.cn", role: "agent", dutyStatus: "away", departmentId: UUID(uuidString: billing))
        )
        clock.set(minutes(60))
        let filled = try await patch(
            id,
            [
                "problem": "Card payments time out at the bank gateway", "occurrences": 7, "ticket_ids": Array(tickets.prefix(2)),
                "affected_customers": 6, "suggested_fix": "Raise the gateway timeout and retry once", "department_id": billing,
            ]
        )
        XCTAssertEqual(filled.status, .ok, filled.raw)
        XCTAssertEqual(filled["problem"]?.string, "Card payments time out at the bank gateway")
        XCTAssertEqual(filled["occurrences"]?.number, 7)
        XCTAssertEqual(filled["ticket_ids"]?.array?.compactMap(\.string), Array(tickets.prefix(2)))
        XCTAssertEqual(filled["affected_customers"]?.number, 6)
        XCTAssertEqual(filled["department_id"]?.string, billing)
        XCTAssertEqual(filled["status"]?.string, "open")
        XCTAssertEqual(date(filled["updated_at"]), minutes(60))

        clock.set(minutes(90))
        let submitted = try await patch(id, ["status": "submitted"])
        XCTAssertEqual(submitted.status, .ok, submitted.raw)
        XCTAssertEqual(submitted["status"]?.string, "submitted")
        XCTAssertEqual(date(submitted["submitted_at"]), minutes(90))
        XCTAssertEqual(submitted["submitted_by"]?.string, supervisor.id.uuidString)
        let told = try await notifications("problem_report_submitted")
        XCTAssertEqual(told, [member.id], "the department hears of it")
        let timerDone = try await ownerPool.queryScalar(Date.self, "SELECT done_at FROM record_timers WHERE kind = 'problem_report'")
        XCTAssertEqual(timerDone, minutes(90), "the deadline is met")

        let edit = try await patch(id, ["problem": "Something else"])
        XCTAssertEqual(edit.status, .conflict, "a submitted form is not edited: \(edit.raw)")
        let byQA = try await patch(id, ["status": "accepted"], as: qaKey)
        XCTAssertEqual(byQA.status, .forbidden, "QA files forms but does not accept them: \(byQA.raw)")
        let skip = try await patch(id, ["status": "done"])
        XCTAssertEqual(skip.status, .conflict, skip.raw)
        let accepted = try await patch(id, ["status": "accepted"])
        XCTAssertEqual(accepted["status"]?.string, "accepted", accepted.raw)
        XCTAssertEqual(accepted["accepted_by"]?.string, supervisor.id.uuidString)
        let back = try await patch(id, ["status": "open"])
        XCTAssertEqual(back.status, .conflict, back.raw)
        let done = try await patch(id, ["status": "done"], as: key)
        XCTAssertEqual(done["status"]?.string, "done", done.raw)
        XCTAssertNotNil(done["done_by"]?.string)
        let again = try await patch(id, ["status": "done"], as: key)
        XCTAssertEqual(again.status, .ok, "asking for the status it has is no move: \(again.raw)")
        XCTAssertEqual(again["status"]?.string, "done")
        let backToSubmitted = try await patch(id, ["status": "submitted"]).status
        XCTAssertEqual(backToSubmitted, .conflict)
    }

    func testAnOpenReportCannotSkipToAcceptedAndQACanSubmit() async throws {
        let (id, _) = try await fileOne()
        let skip = try await patch(id, ["status": "accepted"])
        XCTAssertEqual(skip.status, .conflict, skip.raw)
        XCTAssertEqual(skip.errorCode, "conflict")
        let billing = try await department("Billing")
        let submitted = try await patch(
            id,
            ["problem": "Timeouts", "suggested_fix": "Raise the timeout", "department_id": billing, "status": "submitted"],
            as: qaKey
        )
        XCTAssertEqual(submitted["status"]?.string, "submitted", submitted.raw)
        let agentKey = try await keyFor(try await addAgent("Agent Bo", duty: "away"))
        let byAgent = try await patch(id, ["status": "accepted"], as: agentKey)
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.raw)
        let read = try await reports(key: agentKey)
        XCTAssertEqual(read.status, .ok, "every member of staff reads the reports: \(read.raw)")
    }

    func testBadInputIs422NamingTheFieldAndWritesNothing() async throws {
        let (id, _) = try await fileOne()
        let before = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        let long = String(repeating: "x", count: 10_001)
        let cases: [([String: Any], String)] = [
            (["occurrences": 0], "occurrences"),
            (["occurrences": 1_000_001], "occurrences"),
            (["affected_customers": -1], "affected_customers"),
            (["problem": long], "problem"),
            (["problem": "  "], "problem"),
            (["suggested_fix": long], "suggested_fix"),
            (["status": "closed"], "status"),
            (["ticket_ids": [UUID().uuidString]], "ticket_ids[0]"),
            (["ticket_ids": (0...200).map { _ in UUID().uuidString }], "ticket_ids"),
            (["department_id": UUID().uuidString], "department_id"),
            (["problem": NSNull()], "problem"),
            (["colour": "red"], "colour"),
            // Submitting needs the whole form; the problem given here is not kept either.
            (["problem": "Timeouts", "status": "submitted"], "suggested_fix"),
        ]
        for (body, field) in cases {
            let reply = try await patch(id, body)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(body): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, "\(body): \(reply.raw)")
        }
        let after = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertEqual(before.body, after.body, "nothing half-written")
        let unknown = try await patch(UUID().uuidString, ["problem": "x"])
        XCTAssertEqual(unknown.status, .notFound, unknown.raw)
        let badFilter = try await reports("?status=closed")
        XCTAssertEqual(badFilter.errorField, "status", badFilter.raw)
        let badLimit = try await reports("?limit=0")
        XCTAssertEqual(badLimit.errorField, "limit", badLimit.raw)
    }

    func testTheListFiltersByStatusAndOverdueAndPagesWithACursor() async throws {
        // Five tickets each carrying three leaf tags: three reports filed at once.
        let tags = [try await leafTag("payment error"), try await leafTag("refund delay"), try await leafTag("login loop")]
        try await resolveRecurring(tags)
        let first = try await reports("?limit=2")
        XCTAssertEqual(first["items"]?.array?.count, 2, first.raw)
        let cursor = try require(first["next_cursor"]?.string)
        let second = try await reports("?limit=2&cursor=\(cursor)")
        XCTAssertEqual(second["items"]?.array?.count, 1, second.raw)
        XCTAssertNil(second["next_cursor"])
        let all = (first["items"]?.array ?? []) + (second["items"]?.array ?? [])
        XCTAssertEqual(Set(all.compactMap { $0["tag_id"]?.string }), Set(tags.map(\.uuidString)), "every report once")

        let id = try require(all.first?["id"]?.string)
        let billing = try await department("Billing")
        _ = try await patch(id, ["problem": "p", "suggested_fix": "f", "department_id": billing, "status": "submitted"])
        let submitted = try await reports("?status=submitted")
        XCTAssertEqual(submitted["items"]?.array?.compactMap { $0["id"]?.string }, [id])
        let openOrSubmitted = try await reports("?status=open,submitted")
        XCTAssertEqual(openOrSubmitted["items"]?.array?.count, 3)
        let byDepartment = try await reports("?department_id=\(billing)")
        XCTAssertEqual(byDepartment["items"]?.array?.compactMap { $0["id"]?.string }, [id])
        let byTag = try await reports("?tag_id=\(tags[2].uuidString)")
        XCTAssertEqual(byTag["items"]?.array?.compactMap { $0["tag_id"]?.string }, [tags[2].uuidString])

        clock.set(minutes(24 * 60))
        _ = try await sweep()
        let overdue = try await reports("?overdue=true")
        XCTAssertEqual(overdue["items"]?.array?.count, 2, "the two unsubmitted reports missed their deadline")
        let onTime = try await reports("?overdue=false")
        XCTAssertEqual(onTime["items"]?.array?.compactMap { $0["id"]?.string }, [id])
    }

    func testAMissedDeadlineIsRecordedAndRemindsTheSupervisorsAtTheExactInstant() async throws {
        let (id, _) = try await fileOne()
        let due = minutes(24 * 60)
        clock.set(due.addingTimeInterval(-1))
        _ = try await sweep()
        let early = try await deadline(id)
        XCTAssertNil(early.done, "nothing before the deadline")
        XCTAssertEqual(early.attempts, 0)
        let notYet = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertNil(notYet["overdue_at"])

        clock.set(due)
        _ = try await sweep()
        let atDue = try await deadline(id)
        XCTAssertEqual(atDue.done, due)
        let late = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertEqual(date(late["overdue_at"]), due, "the breach is recorded at the due instant")
        XCTAssertEqual(late["status"]?.string, "open")
        let reminded = try await notifications("problem_report_overdue")
        XCTAssertEqual(reminded, [supervisor.id])
        let inbox = try await withAPI { [supervisorKey] api in try await api.get("/v1/notifications", key: supervisorKey) }
        let reminder = inbox["items"]?.array?.first { $0["kind"]?.string == "problem_report_overdue" }
        XCTAssertTrue(reminder?["message"]?.string?.contains(id.lowercased()) ?? false, inbox.raw)

        clock.set(due.addingTimeInterval(3600))
        _ = try await sweep()
        let later = try await deadline(id)
        XCTAssertEqual(later.attempts, 1, "acted on once")
        let reminders = try await notifications("problem_report_overdue").count
        XCTAssertEqual(reminders, 1)
        // Submitted late: accepted, and the breach stays on record.
        let billing = try await department("Billing")
        let submitted = try await patch(id, ["problem": "p", "suggested_fix": "f", "department_id": billing, "status": "submitted"])
        XCTAssertEqual(submitted["status"]?.string, "submitted", submitted.raw)
        XCTAssertEqual(date(submitted["overdue_at"]), due)
    }

    func testAReportSubmittedInTimeIsNeverOverdue() async throws {
        let (id, _) = try await fileOne()
        let billing = try await department("Billing")
        clock.set(minutes(24 * 60 - 1))
        _ = try await patch(id, ["problem": "p", "suggested_fix": "f", "department_id": billing, "status": "submitted"])
        clock.set(minutes(24 * 60 + 1))
        _ = try await sweep()
        let timer = try await deadline(id)
        XCTAssertEqual(timer.done, minutes(24 * 60 - 1), "finished by the submission")
        XCTAssertEqual(timer.attempts, 0, "never claimed")
        let report = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertNil(report["overdue_at"])
        let noReminders = try await notifications("problem_report_overdue")
        XCTAssertEqual(noReminders, [])
    }

    func testTheWeeklyReportCountsReportsFiledSubmittedAndOverdueInTheWeek() async throws {
        let tags = [try await leafTag("payment error"), try await leafTag("refund delay")]
        try await resolveRecurring(tags)
        let id = try require(try await reports()["items"]?.array?.first?["id"]?.string)
        let billing = try await department("Billing")
        _ = try await patch(id, ["problem": "p", "suggested_fix": "f", "department_id": billing, "status": "submitted"])
        clock.set(minutes(24 * 60))
        _ = try await sweep()
        let weekly = try await get("/v1/reports/weekly?week_start=2025-11-24")
        XCTAssertEqual(weekly.status, .ok, weekly.raw)
        XCTAssertEqual(weekly["problem_reports"]?["filed"]?.number, 2)
        XCTAssertEqual(weekly["problem_reports"]?["submitted"]?.number, 1)
        XCTAssertEqual(weekly["problem_reports"]?["overdue"]?.number, 1)
        let nextWeek = try await get("/v1/reports/weekly?week_start=2025-12-01")
        XCTAssertEqual(nextWeek["problem_reports"]?["filed"]?.number, 0)
        let csv = try await withAPI { [key] api in
            try await api.send(.get, "/v1/reports/weekly?week_start=2025-11-24", key: key, headers: ["Accept": "text/csv"])
        }
        XCTAssertTrue(csv.raw.contains("problem_reports,filed,2\r\nproblem_reports,submitted,1\r\nproblem_reports,overdue,1"), csv.raw)
    }

    func testAnotherTenantsKeySeesNoneOfTheReports() async throws {
        let (id, _) = try await fileOne()
        let other = try await makeTenant("globex")
        let read = try await withAPI { api in try await api.get("/v1/problem-reports/\(id)", key: other.apiKey) }
        XCTAssertEqual(read.status, .notFound, read.raw)
        let write = try await withAPI { api in
            try await api.patch("/v1/problem-reports/\(id)", key: other.apiKey, json(["problem": "Hijacked"]))
        }
        XCTAssertEqual(write.status, .notFound, write.raw)
        let list = try await reports(key: other.apiKey)
        XCTAssertEqual(list["items"]?.array?.count, 0)
        let unchanged = try await withAPI { [key] api in try await api.get("/v1/problem-reports/\(id)", key: key) }
        XCTAssertNil(unchanged["problem"])
    }
}
