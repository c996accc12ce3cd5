import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/problem-reports`: the problem feedback forms filed for recurring problems.
struct ProblemReportRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("problem-reports") { request, context -> Page<ProblemReport> in
            let query = QueryParameters(request)
            let filter = ProblemReportFilter(
                statuses: try query.list("status", ProblemReportStatus.self),
                overdue: try query.bool("overdue"),
                tagId: try query.uuid("tag_id"),
                departmentId: try query.uuid("department_id")
            )
            return try await services.problemReports.list(context.tenantID, filter: filter, page: request.pageRequest())
        }
        group.get("problem-reports/:id") { _, context -> ProblemReport in
            try await services.problemReports.get(context.tenantID, id: context.id(entity: "problem report"))
        }
        group.patch("problem-reports/:id") { request, context -> ProblemReport in
            let update = try await request.decodeJSON(ProblemReportUpdate.self, context: context)
            return try await services.problemReports.update(context.principal, id: context.id(entity: "problem report"), update)
        }
    }
}

extension ProblemReport: ResponseEncodable {}
