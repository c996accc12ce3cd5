import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/customers`: everyone reads; agents, supervisors and admins create and update (QA reads only).
struct CustomerRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("customers") { request, context -> Page<Customer> in
            let query = QueryParameters(request)
            let filter = try CustomerFilter(query: query.string("q"), segment: query.string("segment"))
            return try await services.customers.list(context.tenantID, filter: filter, page: request.pageRequest())
        }
        group.post("customers") { request, context -> Created<Customer> in
            let input = try await request.decodeJSON(NewCustomer.self, context: context)
            return Created(value: try await services.customers.create(context.tenantID, input))
        }
        group.get("customers/:id") { _, context -> Customer in
            try await services.customers.get(context.tenantID, id: context.id(entity: "customer"))
        }
        group.patch("customers/:id") { request, context -> Customer in
            let id = try context.id(entity: "customer")
            let update = try await request.decodeJSON(CustomerUpdate.self, context: context)
            return try await services.customers.update(context.tenantID, id: id, update)
        }
        group.get("customers/:id/tickets") { request, context -> Page<CustomerTicketSummary> in
            let id = try context.id(entity: "customer")
            return try await services.customers.tickets(context.tenantID, customerID: id, page: request.pageRequest())
        }
    }
}

extension Customer: ResponseEncodable {}
