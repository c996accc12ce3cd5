import Foundation
import XCTest

@testable import KefuCore

/// Who acts like a ticket's owner: its owner and its task force for the owner's actions, the
/// plan's executor for its execution, and only the escalated department's members for department
/// work. Roles that always may keep doing so.
final class TicketStandingAuthorizationTests: XCTestCase {
    let me = UUID()
    let someoneElse = UUID()

    func principal(_ role: AgentRole) -> Principal { Principal(tenantID: UUID(), agentID: me, role: role, keyID: UUID()) }

    func allowed(_ action: KefuAction, _ role: AgentRole = .agent, owner: UUID?, _ standing: TicketStanding = TicketStanding()) -> Bool {
        (try? principal(role).authorize(action, on: owner, standing: standing)) != nil
    }

    func testTheTaskForceActsLikeTheOwner() {
        XCTAssertTrue(allowed(.respond, owner: me))
        XCTAssertFalse(allowed(.respond, owner: someoneElse))
        XCTAssertTrue(allowed(.respond, owner: someoneElse, TicketStanding(teamMember: true)))
        XCTAssertTrue(allowed(.resolve, owner: someoneElse, TicketStanding(teamMember: true)))
        XCTAssertFalse(allowed(.respond, .qa, owner: someoneElse, TicketStanding(teamMember: true)), "qa never acts on tickets")
    }

    func testDepartmentWorkIsForTheDepartmentNotTheOwner() {
        XCTAssertFalse(allowed(.departmentWork, owner: me))
        XCTAssertFalse(allowed(.departmentWork, owner: someoneElse, TicketStanding(teamMember: true)))
        XCTAssertTrue(allowed(.departmentWork, owner: someoneElse, TicketStanding(departmentMember: true)))
        XCTAssertTrue(allowed(.departmentWork, .supervisor, owner: someoneElse))
        XCTAssertThrowsError(try principal(.agent).authorize(.departmentWork, on: me, standing: TicketStanding())) {
            XCTAssertEqual(
                $0 as? KefuError,
                .forbidden("department_work is for members of the department the ticket is escalated to or a supervisor or admin")
            )
        }
    }

    func testTheExecutorExecutesThePlanAndNothingElse() {
        let executor = TicketStanding(planExecutor: true)
        XCTAssertTrue(allowed(.executePlan, owner: someoneElse, executor))
        XCTAssertFalse(allowed(.confirmPlan, owner: someoneElse, executor))
        XCTAssertFalse(allowed(.respond, owner: someoneElse, executor))
        XCTAssertTrue(allowed(.confirmPlan, .integration, owner: someoneElse), "recorded from the channel")
    }
}
