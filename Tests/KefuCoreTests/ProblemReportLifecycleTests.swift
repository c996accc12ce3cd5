import Foundation
import XCTest

@testable import KefuCore

/// The problem report's steps without a database: one step forward at a time, who may take it,
/// and what a submitted form must hold.
final class ProblemReportLifecycleTests: XCTestCase {
    func testEveryMoveIsOneStepForwardOrAConflict() {
        let allowed: Set<String> = ["open>submitted", "submitted>accepted", "accepted>done"]
        for from in ProblemReportStatus.allCases {
            for to in ProblemReportStatus.allCases {
                let move = "\(from.rawValue)>\(to.rawValue)"
                if from == to || allowed.contains(move) {
                    XCTAssertNoThrow(try ProblemReportLifecycle.check(from: from, to: to), move)
                } else {
                    XCTAssertThrowsError(try ProblemReportLifecycle.check(from: from, to: to), move) { error in
                        guard case KefuError.conflict = error else { return XCTFail("\(move): \(error)") }
                    }
                }
            }
        }
    }

    func testSubmittingIsFilingAndAcceptingOrFinishingIsSettling() {
        XCTAssertEqual(ProblemReportLifecycle.authority(to: .submitted), .fileProblemReport)
        XCTAssertEqual(ProblemReportLifecycle.authority(to: .accepted), .settleProblemReport)
        XCTAssertEqual(ProblemReportLifecycle.authority(to: .done), .settleProblemReport)
        XCTAssertEqual(KefuAction.fileProblemReport.rule.roles, [.qa, .supervisor, .admin])
        XCTAssertEqual(KefuAction.settleProblemReport.rule.roles, [.supervisor, .admin])
    }

    func testASubmittedFormNeedsTheProblemTheFixAndTheDepartment() {
        let department = UUID()
        XCTAssertEqual(ProblemReportLifecycle.missingForSubmission(problem: nil, suggestedFix: "f", departmentId: department), "problem")
        XCTAssertEqual(ProblemReportLifecycle.missingForSubmission(problem: "p", suggestedFix: nil, departmentId: department), "suggested_fix")
        XCTAssertEqual(ProblemReportLifecycle.missingForSubmission(problem: "p", suggestedFix: "f", departmentId: nil), "department_id")
        XCTAssertNil(ProblemReportLifecycle.missingForSubmission(problem: "p", suggestedFix: "f", departmentId: department))
    }

    func testTheEditIsCheckedBeforeAnyDatabase() throws {
        let id = UUID()
        let valid = try ValidatedProblemReportUpdate(ProblemReportUpdate(problem: "  Timeouts ", ticketIds: [id, id], status: "submitted"))
        XCTAssertEqual(valid.problem, "Timeouts")
        XCTAssertEqual(valid.ticketIds, [id], "duplicates dropped")
        XCTAssertEqual(valid.status, .submitted)
        XCTAssertTrue(valid.editsForm)
        XCTAssertFalse(try ValidatedProblemReportUpdate(ProblemReportUpdate(status: "done")).editsForm)
        for (update, field) in [
            (ProblemReportUpdate(occurrences: 0), "occurrences"),
            (ProblemReportUpdate(affectedCustomers: 100_000_001), "affected_customers"),
            (ProblemReportUpdate(ticketIds: (0...200).map { _ in UUID() }), "ticket_ids"),
            (ProblemReportUpdate(status: "closed"), "status"),
        ] {
            XCTAssertThrowsError(try ValidatedProblemReportUpdate(update)) { error in
                guard case KefuError.invalidField(let name, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(name, field)
            }
        }
    }
}
