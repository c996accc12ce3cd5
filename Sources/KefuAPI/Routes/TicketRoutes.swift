import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// `/v1/tickets`: intake (with `Idempotency-Key`), queues, one ticket and its records.
struct TicketRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("tickets") { request, context -> Response in
            let input = try await request.decodeJSON(NewTicket.self, context: context)
            let key = request.headers[IdempotencyKey.header]
            let result = try await services.intake.intake(context.tenantID, input, idempotencyKey: key)
            var response = try result.ticket.response(from: request, context: context)
            response.status = result.created ? .created : .ok
            return response
        }
        group.get("tickets") { request, context -> Page<Ticket> in
            try await services.tickets.list(context.tenantID, filter: TicketQueryParameters.filter(request, principal: context.principal),
                                             page: request.pageRequest())
        }
        group.get("tickets/:id") { _, context -> Ticket in
            try await services.tickets.get(context.tenantID, id: context.id(entity: "ticket"))
        }
        group.get("tickets/:id/messages") { _, context in
            ItemList(items: try await services.tickets.messages(context.tenantID, ticketID: context.id(entity: "ticket"),
                                                                includeInternal: context.principal.may(.readInternalMessages)))
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
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            guard let raw = query[Substring(name)], !raw.isEmpty else { return nil }
            return String(raw)
        }
        func list<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type, transform: (String) -> String = { $0 }) throws -> [E]
            where E.RawValue == String {
            guard let text = value(name) else { return [] }
            return try text.split(separator: ",").map { (item: Substring) -> E in
                guard let parsed = E(rawValue: transform(String(item))) else {
                    throw KefuError.invalidField(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return parsed
            }
        }
        func uuid(_ name: String) throws -> UUID? {
            guard let text = value(name) else { return nil }
            guard let id = UUID(uuidString: text) else { throw KefuError.invalidField(name, "must be a UUID") }
            return id
        }
        var filter = TicketFilter()
        filter.statuses = try list("status", TicketStatus.self)
        filter.priorities = try list("priority", TicketPriority.self) { $0.uppercased() }
        filter.category = try list("category", TicketCategory.self).first
        filter.channel = try list("channel", TicketChannel.self).first
        filter.ownerID = value("owner_id") == "me" ? principal.agentID : try uuid("owner_id")
        filter.tagID = try uuid("tag_id")
        filter.customerID = try uuid("customer_id")
        if let breached = value("breached") {
            guard let flag = Bool(breached) else { throw KefuError.invalidField("breached", "must be true or false") }
            filter.breached = flag
        }
        if let due = value("due_before") {
            guard let instant = KefuJSON.parse(due) else { throw KefuError.invalidField("due_before", "must be an ISO 8601 date-time") }
            filter.dueBefore = instant
        }
        switch value("sort") ?? "created_at" {
        case "created_at": filter.newestFirst = false
        case "-created_at": filter.newestFirst = true
        default: throw KefuError.invalidField("sort", "must be created_at or -created_at")
        }
        return filter
    }
}

extension Ticket: ResponseEncodable {}

/// The `Idempotency-Key` request header: a retried intake with the same key returns the first ticket.
enum IdempotencyKey {
    static let header = HTTPField.Name("Idempotency-Key")!
}
