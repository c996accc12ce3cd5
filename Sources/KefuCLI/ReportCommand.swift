import ArgumentParser
import Foundation
import KefuCore
import KefuPostgres

/// `kefu report weekly`: the weekly service analysis for operators and supervisors.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Reports.", subcommands: [Weekly.self])

    struct Weekly: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The weekly service analysis report of a tenant.")
        @OptionGroup var scope: TenantOption
        @Option(help: "json, csv or svg.") var format = "json"
        @Option(help: "The week's first day (YYYY-MM-DD, UTC); default: last week's Monday.") var weekStart: String?

        func run() async throws {
            guard ["json", "csv", "svg"].contains(format) else { throw ValidationError("--format must be json, csv or svg") }
            let start: Date
            if let weekStart {
                guard let date = KefuJSON.parse(weekStart) else { throw ValidationError("--week-start must be a date like 2026-11-16") }
                start = date
            } else {
                var calendar = Calendar(identifier: .iso8601)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                start = (calendar.dateInterval(of: .weekOfYear, for: Date())?.start ?? Date()).addingTimeInterval(-7 * 86_400)
            }
            let report = try await CommandContext.make().withOwnerPool { pool in
                let tenantID = try await TenantAdminService(ownerPool: pool).find(slug: scope.tenant).id
                return try await WeeklyReportService(database: TenantDatabase(pool: pool)).weekly(tenantID, weekStart: start)
            }
            switch format {
            case "csv": Console.write(WeeklyReportFormats.csv(report))
            case "svg": Console.write(WeeklyReportFormats.svg(report))
            default: try printJSON(report)
            }
        }
    }
}
