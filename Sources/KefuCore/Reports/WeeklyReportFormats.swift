import Foundation

/// The weekly report as CSV (one `section,key,value` row per figure) and as an SVG chart.
public enum WeeklyReportFormats {
    /// RFC 4180 CSV; cells a spreadsheet would run as formulas are defused (`TextEscaping.csvField`).
    public static func csv(_ report: WeeklyReport) -> String {
        var rows: [[String]] = [["section", "key", "value"]]
        rows.append(["summary", "total_tickets", String(report.totalTickets)])
        rows += report.byChannel.map { ["channel", $0.key, String($0.tickets)] }
        rows += report.byCategory.map { ["category", $0.key, String($0.tickets)] }
        rows += report.byTag.map { ["tag_level_\($0.level)", $0.path, String($0.tickets)] }
        for sla in report.slaByPriority {
            rows.append(["sla_on_time_rate", sla.priority, sla.rate.map { String(format: "%.4f", $0) } ?? ""])
        }
        rows.append(["handling", "average_first_response_seconds", report.averageFirstResponseSeconds.map { String(format: "%.0f", $0) } ?? ""])
        rows.append(["handling", "average_resolution_seconds", report.averageResolutionSeconds.map { String(format: "%.0f", $0) } ?? ""])
        rows += report.dissatisfied.map { ["dissatisfied", $0.reference, "\($0.overall) \($0.tags.joined(separator: "; "))"] }
        rows += report.knowledgeGaps.map { ["knowledge_gap", $0.tagName, String($0.tickets)] }
        rows += report.incidents.map { ["incident", KefuJSON.format($0.startedAt), String(format: "%@ %.2fx", $0.channel, $0.ratio)] }
        rows.append(["problem_reports", "filed", String(report.problemReports.filed)])
        rows.append(["problem_reports", "submitted", String(report.problemReports.submitted)])
        rows.append(["problem_reports", "overdue", String(report.problemReports.overdue)])
        rows += report.daily.map { ["daily_tickets", $0.date, String($0.tickets)] }
        return rows.map { $0.map(TextEscaping.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Daily volume as bars and first-response SLA compliance as a line, for people who would rather look.
    public static func svg(_ report: WeeklyReport) -> String {
        let width = 640.0
        let height = 320.0
        let left = 50.0
        let right = 50.0
        let top = 40.0
        let bottom = 50.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maxTickets = max(1, report.daily.map(\.tickets).max() ?? 1)
        let slot = plotWidth / Double(max(1, report.daily.count))
        let escape = TextEscaping.html
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <title>\(escape(report.tenant)): tickets per day and first-response SLA compliance</title>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="14">\(escape(report.tenant)) · week of \(report.daily.first?.date ?? "") · \(report.totalTickets) tickets</text>
            <line x1="\(left)" y1="\(top + plotHeight)" x2="\(left + plotWidth)" y2="\(top + plotHeight)" stroke="#333"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotHeight)" stroke="#333"/>
            <text x="\(left - 8)" y="\(top + 4)" text-anchor="end">\(maxTickets)</text>
            <text x="\(left + plotWidth + 8)" y="\(top + 4)">100%</text>

            """
        var points: [String] = []
        for (index, day) in report.daily.enumerated() {
            let x = left + Double(index) * slot
            let barHeight = plotHeight * Double(day.tickets) / Double(maxTickets)
            svg += String(
                format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#5b8def\"><title>%@: %d tickets</title></rect>\n",
                x + slot * 0.15,
                top + plotHeight - barHeight,
                slot * 0.7,
                barHeight,
                day.date,
                day.tickets
            )
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n",
                x + slot / 2,
                top + plotHeight + 16,
                String(day.date.suffix(5))
            )
            if let rate = day.onTimeRate {
                points.append(String(format: "%.1f,%.1f", x + slot / 2, top + plotHeight * (1 - rate)))
            }
        }
        if !points.isEmpty {
            svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#e8590c\" stroke-width=\"2\"/>\n"
        }
        svg += """
            <rect x="\(left)" y="\(height - 22)" width="10" height="10" fill="#5b8def"/><text x="\(left + 14)" y="\(height - 13)">tickets per day</text>
            <line x1="\(left + 120)" y1="\(height - 17)" x2="\(left + 140)" y2="\(height - 17)" stroke="#e8590c" stroke-width="2"/><text x="\(left + 144)" y="\(height - 13)">first responses on time</text>
            </svg>

            """
        return svg
    }
}
