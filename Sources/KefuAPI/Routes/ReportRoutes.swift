import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/reports/…` (agent KPIs, best agent, QA reviews, the weekly report as JSON, CSV or SVG),
/// QA reviews of tickets and complaints about agents.
struct ReportRoutes {
    let services: KefuServices

    struct BestAgent: ResponseEncodable {
        var month: String
        var agent: AgentKPI?
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("tickets/:id/qa-reviews") { request, context -> Created<QAReview> in
            let input = try await request.decodeJSON(NewQAReview.self, context: context)
            return Created(value: try await services.quality.review(context.principal, ticketID: context.id(entity: "ticket"), input))
        }
        group.post("agents/:id/complaints") { request, context -> Created<AgentComplaint> in
            let input = try await request.decodeJSON(NewAgentComplaint.self, context: context)
            return Created(value: try await services.quality.complain(context.principal, agentID: context.id(entity: "agent"), input))
        }
        group.get("reports/qa") { request, context in
            let agent = try ReportQuery.uuid(request, "agent_id")
            return ItemList(items: try await services.quality.reviews(context.tenantID, agentID: agent))
        }
        group.get("reports/agents") { request, context -> AgentKPIReport in
            let now = services.clock.now()
            let period = try ReportPeriod(
                from: try ReportQuery.date(request, "from") ?? now.addingTimeInterval(-30 * 86_400),
                to: try ReportQuery.date(request, "to") ?? now
            )
            return try await services.kpis.agents(context.tenantID, period: period)
        }
        group.get("reports/best-agent") { request, context -> BestAgent in
            let (month, period) = try ReportQuery.month(request, now: services.clock.now())
            let report = try await services.kpis.agents(context.tenantID, period: period)
            return BestAgent(month: month, agent: report.agents.first { $0.agentId == report.bestAgentId })
        }
        group.get("reports/weekly") { request, context -> Response in
            let report = try await services.reports.weekly(context.tenantID, weekStart: try ReportQuery.weekStart(request, now: services.clock.now()))
            if request.headers[.accept]?.contains("text/csv") == true {
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WeeklyReportFormats.csv(report))))
            }
            return JSONResponse.make(.ok, report)
        }
        group.get("reports/weekly.svg") { request, context -> Response in
            let report = try await services.reports.weekly(context.tenantID, weekStart: try ReportQuery.weekStart(request, now: services.clock.now()))
            var headers = HTTPFields()
            headers[.contentType] = "image/svg+xml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WeeklyReportFormats.svg(report))))
        }
    }
}

/// Query parameters of reports, each wrong value a 422 naming it.
enum ReportQuery {
    static func uuid(_ request: Request, _ name: String) throws -> UUID? {
        try QueryParameters(request).uuid(name)
    }

    static func date(_ request: Request, _ name: String) throws -> Date? {
        try QueryParameters(request).dateOrInstant(name)
    }

    /// `week_start=YYYY-MM-DD` (UTC midnight), default: the Monday of the previous full week.
    static func weekStart(_ request: Request, now: Date) throws -> Date {
        if let start = try QueryParameters(request).date("week_start") { return start }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        return thisWeek.addingTimeInterval(-7 * 86_400)
    }

    /// `month=YYYY-MM`, default: the previous month.
    static func month(_ request: Request, now: Date) throws -> (String, ReportPeriod) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start: Date
        if let first = try QueryParameters(request).month("month") {
            start = first
        } else {
            let thisMonth = calendar.dateInterval(of: .month, for: now)?.start ?? now
            start = calendar.date(byAdding: .month, value: -1, to: thisMonth) ?? thisMonth
        }
        let end = calendar.date(byAdding: .month, value: 1, to: start) ?? start.addingTimeInterval(30 * 86_400)
        let label = String(KefuJSON.format(start).prefix(7))
        return (label, try ReportPeriod(from: start, to: end))
    }
}

extension QAReview: ResponseEncodable {}
extension AgentComplaint: ResponseEncodable {}
extension AgentKPIReport: ResponseEncodable {}
