import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/departments`: readable by everyone, managed by admins.
struct DepartmentRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("departments") { request, context -> Page<Department> in
            try await services.departments.list(context.tenantID, page: request.pageRequest())
        }
        group.post("departments") { request, context -> Created<Department> in
            let input = try await request.decodeJSON(NewDepartment.self, context: context)
            return Created(value: try await services.departments.create(context.tenantID, input))
        }
        group.get("departments/:id") { _, context -> Department in
            try await services.departments.get(context.tenantID, id: context.id(entity: "department"))
        }
        group.patch("departments/:id") { request, context -> Department in
            let id = try context.id(entity: "department")
            let input = try await request.decodeJSON(DepartmentUpdate.self, context: context)
            return try await services.departments.update(context.tenantID, id: id, input)
        }
    }
}
