import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Tenant-chosen text in CSV exports never runs as a spreadsheet formula.
final class ReportCSVInjectionTests: TicketTestCase {
    func testFormulaLikeTagNamesAreDefusedInTheWeeklyCSV() async throws {
        let root = try await services.tags.create(tenantID, NewTag(name: "=1+2"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "-2+3", parentId: root.id))
        let leaf = try await services.tags.create(tenantID, NewTag(name: "@SUM(A1)", parentId: middle.id))
        try await addAgent("Agent An")
        let created = try await intake([
            "customer": ["name": "X"], "channel": "chat", "category": "fault", "description": "d",
            "tag_ids": [leaf.id.uuidString],
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        let csv = try await withAPI { [key] api in
            try await api.send(.get, "/v1/reports/weekly?week_start=2025-11-24", key: key, headers: ["Accept": "text/csv"])
        }
        XCTAssertEqual(csv.status, .ok, csv.raw)
        XCTAssertTrue(csv.raw.contains(",'=1+2,1\r\n"), csv.raw)
        for line in csv.raw.split(separator: "\r\n") {
            for cell in line.split(separator: ",", omittingEmptySubsequences: false) {
                XCTAssertFalse(
                    ["=", "+", "-", "@", "\t", "\r"].contains(cell.unicodeScalars.first.map(Character.init) ?? " "),
                    "\(cell) in \(line)"
                )
            }
        }
    }
}
