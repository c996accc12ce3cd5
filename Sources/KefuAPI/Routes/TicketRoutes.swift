import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/tickets`: intake (with `Idempotency-Key`), queues and search (`q`), one ticket, its
/// corrections (`PATCH`) and its records.
struct TicketRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("tickets") { request, context -> Response in
            let input = try await request.decodeJSON(NewTicket.self, context: context)
            let key = request.headers[IdempotencyKey.header]
            let result = try await services.intake.intake(
                context.tenantID,
                input,
                idempotencyKey: key,
                byGateway: context.principal.role == .integration
            )
            var response = try result.ticket.response(from: request, context: context)
            response.status = result.created ? .created : .ok
            return response
        }
        group.get("tickets") { request, context -> Response in
            let filter = try TicketQueryParameters.filter(request, principal: context.principal)
            if let search = try TicketQueryParameters.search(request) {
                let hits = try await services.tickets.search(
                    context.tenantID,
                    search,
                    filter: filter,
                    includeInternal: context.principal.may(.readInternalMessages)
                )
                return try hits.response(from: request, context: context)
            }
            let page = try await services.tickets.list(context.tenantID, filter: filter, page: request.pageRequest())
            return try page.response(from: request, context: context)
        }
        group.get("tickets/:id") { _, context -> Ticket in
            try await services.tickets.get(context.tenantID, id: context.id(entity: "ticket"))
        }
        group.patch("tickets/:id") { request, context -> Ticket in
            let ticketID = try context.id(entity: "ticket")
            let input = try await request.decodeJSON(TicketEditInput.self, context: context)
            return try await services.ticketActions.edit(context.principal, ticketID, input)
        }
        group.get("tickets/:id/messages") { _, context in
            ItemList(
                items: try await services.tickets.messages(
                    context.tenantID,
                    ticketID: context.id(entity: "ticket"),
                    includeInternal: context.principal.may(.readInternalMessages)
                )
            )
        }
        group.get("tickets/:id/events") { _, context in
            ItemList(items: try await services.tickets.events(context.tenantID, ticketID: context.id(entity: "ticket")))
        }
        group.get("tickets/:id/assignments") { _, context in
            ItemList(items: try await services.tickets.assignments(context.tenantID, ticketID: context.id(entity: "ticket")))
        }
        group.get("tickets/:id/breaches") { _, context in
            ItemList(items: try await services.tickets.breaches(context.tenantID, ticketID: context.id(entity: "ticket")))
        }
    }
}

/// Queue filters from the query string; each wrong value is a 422 naming the parameter.
enum TicketQueryParameters {
    static func filter(_ request: Request, principal: Principal) throws -> TicketFilter {
        let query = QueryParameters(request)
        var filter = TicketFilter()
        filter.statuses = try query.list("status", TicketStatus.self)
        filter.priorities = try query.list("priority", TicketPriority.self) { $0.uppercased() }
        filter.category = try query.choice("category", TicketCategory.self)
        filter.channel = try query.choice("channel", TicketChannel.self)
        if try query.string("owner_id") == "me" {
            filter.ownerID = principal.agentID
        } else {
            filter.ownerID = try query.uuid("owner_id")
        }
        filter.tagID = try query.uuid("tag_id")
        filter.customerID = try query.uuid("customer_id")
        filter.breached = try query.bool("breached")
        filter.dueBefore = try query.instant("due_before")
        switch try query.string("sort") ?? "created_at" {
        case "created_at": filter.newestFirst = false
        case "-created_at": filter.newestFirst = true
        default: throw KefuError.invalidField("sort", "must be created_at or -created_at")
        }
        return filter
    }

    /// The search `q` asks for, nil without `q`. Hits are ordered by rank, so `sort` is refused
    /// beside `q`; `cursor` is then a search cursor (`TicketSearch.Cursor`).
    static func search(_ request: Request) throws -> TicketSearch? {
        let query = QueryParameters(request)
        guard let q = try query.string("q") else { return nil }
        if try query.string("sort") != nil {
            throw KefuError.invalidField("sort", "search results are ordered by rank: leave sort out with q")
        }
        return try TicketSearch(q: q, limit: query.int("limit", in: 1...PageRequest.maximumLimit), cursor: query.string("cursor"))
    }
}

extension Ticket: ResponseEncodable {}

/// The `Idempotency-Key` request header: a retried intake with the same key returns the first ticket.
enum IdempotencyKey {
    static let header = HTTPField.Name("Idempotency-Key")!
}
