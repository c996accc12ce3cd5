import Foundation
import XCTest

@testable import KefuCore

/// Every action in every status: the status it leads to and the events it records, or the 409
/// conflict. The fixture's clocks are all due in the future, so no cell records a breach.
final class TicketLifecycleApplyTests: XCTestCase {
    typealias Action = TicketLifecycle.Action

    /// What an action does in a status: nil is a conflict, else the status after and the event kinds.
    struct Outcome {
        var status: TicketStatus
        var events: [String]
    }

    static func stays(_ status: TicketStatus, _ events: [String]) -> Outcome { Outcome(status: status, events: events) }

    /// A plan step: allowed wherever a plan is, keeping the status.
    static func planStep(_ event: String) -> [TicketStatus: Outcome] {
        Dictionary(uniqueKeysWithValues: [TicketStatus.assigned, .inProgress, .waitingOnCustomer, .escalated].map { ($0, stays($0, [event])) })
    }

    /// The expected table, written out by hand (not derived from `TicketLifecycle.next`).
    static let expected: [Action: [TicketStatus: Outcome]] = [
        .create: [:],
        .assign: [.new: stays(.assigned, ["assigned"])],
        .respond: [
            .new: stays(.inProgress, ["assigned", "first_response", "responded"]),
            .assigned: stays(.inProgress, ["first_response", "responded"]),
            .inProgress: stays(.inProgress, ["responded"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["responded"]),
            .escalated: stays(.escalated, ["responded"]),
        ],
        .note: [
            .new: stays(.new, ["noted"]), .assigned: stays(.assigned, ["noted"]), .inProgress: stays(.inProgress, ["noted"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["noted"]), .escalated: stays(.escalated, ["noted"]),
        ],
        .notifyProgress: [
            .assigned: stays(.inProgress, ["first_response", "progress_notified"]),
            .inProgress: stays(.inProgress, ["progress_notified"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["progress_notified"]),
            .escalated: stays(.escalated, ["progress_notified"]),
        ],
        .requestInfo: [
            .assigned: stays(.waitingOnCustomer, ["first_response", "sla_paused", "info_requested"]),
            .inProgress: stays(.waitingOnCustomer, ["sla_paused", "info_requested"]),
        ],
        .customerReply: [
            .new: stays(.new, ["customer_replied"]), .assigned: stays(.assigned, ["customer_replied"]),
            .inProgress: stays(.inProgress, ["customer_replied"]),
            .waitingOnCustomer: stays(.inProgress, ["sla_resumed", "customer_replied"]),
            .escalated: stays(.escalated, ["customer_replied"]), .resolved: stays(.resolved, ["customer_replied"]),
        ],
        .plan: [
            .assigned: stays(.assigned, ["first_response", "plan_given"]), .inProgress: stays(.inProgress, ["plan_given"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["plan_given"]), .escalated: stays(.escalated, ["plan_given"]),
        ],
        .approvePlan: planStep("plan_approved"),
        .rejectPlan: planStep("plan_rejected"),
        .confirmPlan: planStep("plan_confirmed"),
        .executePlan: planStep("plan_executed"),
        .departmentAck: [.escalated: stays(.escalated, ["department_acknowledged"])],
        .departmentBlocker: [.escalated: stays(.escalated, ["department_acknowledged", "department_blocked"])],
        .departmentSolved: [.escalated: stays(.escalated, ["department_acknowledged", "department_solution_ready"])],
        .departmentReply: [.escalated: stays(.inProgress, ["department_acknowledged", "department_replied"])],
        .transfer: [
            .assigned: stays(.assigned, ["transferred"]), .inProgress: stays(.inProgress, ["transferred"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["transferred"]), .escalated: stays(.escalated, ["transferred"]),
        ],
        .redispatch: [
            .assigned: stays(.assigned, ["redispatched"]), .inProgress: stays(.inProgress, ["redispatched"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["redispatched"]), .escalated: stays(.escalated, ["redispatched"]),
        ],
        .escalate: [
            .assigned: stays(.escalated, ["first_response", "escalated", "department_notified"]),
            .inProgress: stays(.escalated, ["escalated", "department_notified"]),
            .waitingOnCustomer: stays(.escalated, ["escalated", "department_notified"]),
        ],
        .resolve: [
            .assigned: stays(.resolved, ["first_response", "resolved"]), .inProgress: stays(.resolved, ["resolved"]),
            .waitingOnCustomer: stays(.resolved, ["resolved"]), .escalated: stays(.resolved, ["resolved"]),
        ],
        .reopen: [.resolved: stays(.inProgress, ["reopened"])],
        .secondHandling: [.resolved: stays(.inProgress, ["reopened"]), .closed: stays(.inProgress, ["reopened"])],
        .close: [.resolved: stays(.closed, ["closed"])],
        .merge: [
            .new: stays(.closed, ["merged"]), .assigned: stays(.closed, ["merged"]), .inProgress: stays(.closed, ["merged"]),
            .waitingOnCustomer: stays(.closed, ["merged"]), .escalated: stays(.closed, ["merged"]),
        ],
        .archive: [.resolved: stays(.archived, ["archived"]), .closed: stays(.archived, ["archived"])],
        // Raising a P3 to P1: the clocks are recomputed; an open ticket also goes to the supervisors.
        .edit: [
            .new: stays(.new, ["priority_changed", "escalated_to_supervisor"]),
            .assigned: stays(.assigned, ["priority_changed", "escalated_to_supervisor"]),
            .inProgress: stays(.inProgress, ["priority_changed", "escalated_to_supervisor"]),
            .waitingOnCustomer: stays(.waitingOnCustomer, ["priority_changed", "escalated_to_supervisor"]),
            .escalated: stays(.escalated, ["priority_changed", "escalated_to_supervisor"]),
            .resolved: stays(.resolved, ["priority_changed"]), .closed: stays(.closed, ["priority_changed"]),
        ],
    ]

    func testEveryActionInEveryStatus() throws {
        XCTAssertEqual(Set(Self.expected.keys), Set(Action.allCases))
        var cells = 0
        for kind in Action.allCases {
            for status in TicketStatus.allCases {
                cells += 1
                let ticket = LifecycleFixture.ticket(status)
                let action = try LifecycleFixture.action(kind)
                let cell = "\(kind.rawValue) on \(status.rawValue)"
                guard let outcome = Self.expected[kind]?[status] else {
                    XCTAssertThrowsError(try LifecycleFixture.apply(action, to: ticket, by: LifecycleFixture.actor(kind)), cell) { error in
                        guard case KefuError.conflict = error else { return XCTFail("\(cell): \(error) is not a conflict") }
                    }
                    XCTAssertThrowsError(try TicketLifecycle.next(from: status, on: kind), cell)
                    continue
                }
                let change = try LifecycleFixture.apply(action, to: ticket, by: LifecycleFixture.actor(kind))
                XCTAssertEqual(change.ticket.status, outcome.status, cell)
                XCTAssertEqual(change.eventKinds, outcome.events, cell)
                XCTAssertEqual(try TicketLifecycle.next(from: status, on: kind), outcome.status, cell)
                XCTAssertTrue(change.breaches.isEmpty, cell)
                XCTAssertEqual(change.timers.map(\.kind).last, TimerKind.archive, cell)
                XCTAssertEqual(change.before, ticket, cell)
            }
        }
        XCTAssertEqual(cells, 26 * 8)
    }

    func testConflictsSayWhy() {
        let cases: [(TicketStatus, Action, String)] = [
            (.new, .resolve, "cannot resolve a new ticket: assign it first"),
            (.archived, .note, "archived tickets are read-only"),
            (.closed, .reopen, "cannot reopen a closed ticket"),
            (.resolved, .respond, "cannot respond a resolved ticket (reopen it first)"),
            (.escalated, .escalate, "cannot escalate a ticket that is escalated"),
            (.new, .notifyProgress, "cannot notify progress a new ticket: assign it first"),
            (.resolved, .notifyProgress, "cannot notify progress a resolved ticket (reopen it first)"),
            (.inProgress, .create, "the ticket already exists"),
        ]
        for (status, kind, message) in cases {
            XCTAssertThrowsError(try LifecycleFixture.apply(try LifecycleFixture.action(kind), to: LifecycleFixture.ticket(status))) {
                XCTAssertEqual($0 as? KefuError, .conflict(message))
            }
        }
    }

    func testNoteAddsAnInternalMessageAndChangesNothingElse() throws {
        let ticket = LifecycleFixture.ticket(.inProgress)
        let change = try LifecycleFixture.apply(.note(body: "Checked"), to: ticket)
        XCTAssertEqual(change.ticket, ticket)
        XCTAssertEqual(change.messages, [TicketMessageDraft(author: .agent(LifecycleFixture.alice.id), visibility: .internal, body: "Checked")])
        XCTAssertTrue(change.assignments.isEmpty)
    }

    func testAssignTakesTheTicketAndRecordsTheFirstOwner() throws {
        let change = try LifecycleFixture.apply(.assign(to: LifecycleFixture.carol), to: LifecycleFixture.ticket(.new))
        XCTAssertEqual(change.ticket.ownerId, LifecycleFixture.carol.id)
        XCTAssertEqual(change.ticket.firstOwnerId, LifecycleFixture.carol.id)
        XCTAssertEqual(change.ticket.assignedAt, LifecycleFixture.now)
        XCTAssertEqual(change.ticket.updatedAt, LifecycleFixture.now)
        XCTAssertEqual(
            change.assignments,
            [TicketAssignmentDraft(kind: "initial", from: nil, to: LifecycleFixture.carol.id, by: LifecycleFixture.alice.id)]
        )
        XCTAssertEqual(change.events[0].after?["owner_id"], .string(LifecycleFixture.carol.id.uuidString))
    }

    func testTransferKeepsFirstOwnerAndTellsTheCustomer() throws {
        let change = try LifecycleFixture.apply(try LifecycleFixture.action(.transfer), to: LifecycleFixture.ticket(.inProgress))
        XCTAssertEqual(change.ticket.ownerId, LifecycleFixture.carol.id)
        XCTAssertEqual(change.ticket.firstOwnerId, LifecycleFixture.alice.id)
        XCTAssertEqual(change.messages.map(\.body), ["Hand-over: Cable checked", "您的问题已转交给同事Carol，将继续为您处理。"])
        XCTAssertEqual(change.messages.map(\.visibility), [.internal, .public])
        XCTAssertEqual(change.assignments.first?.handoverNote, "Cable checked")
        XCTAssertEqual(change.assignments.first?.from, LifecycleFixture.alice.id)
    }

    func testTransferToTheOwnerIsRefused() {
        let ticket = LifecycleFixture.ticket(.inProgress)
        XCTAssertThrowsError(try LifecycleFixture.apply(.transfer(to: LifecycleFixture.alice, reason: "r", handoverNote: "n"), to: ticket)) {
            XCTAssertEqual($0 as? KefuError, .invalidField("to_agent_id", "already owns the ticket"))
        }
        XCTAssertThrowsError(try LifecycleFixture.apply(.redispatch(to: LifecycleFixture.alice.id, reason: "r"), to: ticket))
    }

    func testRedispatchRecordsSecondsSinceAssignment() throws {
        let change = try LifecycleFixture.apply(try LifecycleFixture.action(.redispatch), to: LifecycleFixture.ticket(.assigned))
        XCTAssertEqual(change.assignments.first?.secondsSincePrevious, 50 * 60)
        XCTAssertEqual(change.events[0].after?["seconds_since_assignment"], .number(3000))
        XCTAssertTrue(change.messages.isEmpty)
    }

    func testCreateRoutesStartsClocksAndArmsTimers() throws {
        let change = try LifecycleFixture.apply(.create(try LifecycleFixture.newTicket()), to: nil, by: .customer)
        let ticket = change.ticket
        XCTAssertNil(change.before)
        XCTAssertEqual(ticket.status, .assigned)
        XCTAssertEqual(ticket.reference, "T-000007")
        XCTAssertEqual(ticket.ownerId, LifecycleFixture.alice.id)
        XCTAssertEqual(ticket.firstResponseDueAt, LifecycleFixture.minutes(120))
        XCTAssertEqual(change.eventKinds, ["created", "acknowledged", "assigned"])
        XCTAssertEqual(change.messages.map(\.author), [.customer, .system])
        XCTAssertEqual(change.messages.last?.body, "已收到问题，正在为您处理")
        XCTAssertEqual(ticket.acknowledgedAt, LifecycleFixture.now)
        XCTAssertEqual(ticket.acknowledgementDueAt, LifecycleFixture.now.addingTimeInterval(60))
        XCTAssertEqual(ticket.expectedResolutionAt, LifecycleFixture.minutes(2_700), "P3's resolution target on the always-open calendar")
        XCTAssertTrue(ticket.expectedResolutionDefaulted)
        XCTAssertEqual(change.assignments, [TicketAssignmentDraft(kind: "initial", from: nil, to: LifecycleFixture.alice.id, by: nil)])
        XCTAssertNotNil(change.creation)
        XCTAssertEqual(change.timer("sla:first_response"), TimerState(kind: "sla:first_response", due: LifecycleFixture.minutes(120), running: true))
        XCTAssertEqual(change.timer(TimerKind.archive)?.running, false)
    }

    func testCreateP1TellsTheSupervisorsAndUnroutedStaysNew() throws {
        let supervisor = UUID()
        let urgent = try LifecycleFixture.apply(
            .create(try LifecycleFixture.newTicket(priority: "P1", owner: nil, supervisors: [supervisor])),
            to: nil,
            by: .customer
        )
        XCTAssertEqual(urgent.ticket.status, .new)
        XCTAssertNil(urgent.ticket.firstOwnerId)
        XCTAssertEqual(urgent.eventKinds, ["created", "acknowledged", "escalated_to_supervisor"])
        XCTAssertEqual(
            urgent.notifications,
            [TicketNotificationDraft(recipients: [supervisor], kind: "priority_escalation", message: "P1 ticket T-000007 needs attention")]
        )
    }
}
