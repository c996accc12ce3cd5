import Foundation
import Hummingbird
import KefuCore

/// `/v1/kb/…`: articles (versioned, searchable), votes, "solved by" links, and reply scripts.
struct KnowledgeRoutes {
    let services: KefuServices

    struct Vote: Decodable { var helpful: Bool }
    struct Link: Decodable { var ticketId: UUID }
    struct Linked: ResponseEncodable { var ticketIds: [UUID] }
    struct Render: Decodable { var ticketId: UUID }

    func register(on group: RouterGroup<TenantRequestContext>) {
        let articles = services.articles
        group.get("kb/articles") { request, context in
            let query = request.uri.queryParameters
            guard let q = query["q"].map(String.init), !q.isEmpty else {
                throw KefuError.invalidField("q", "give a search text")
            }
            return ItemList(items: try await articles.search(context.tenantID, query: q, publishedOnly: query["published"] == "true"))
        }
        group.post("kb/articles") { request, context -> Created<Article> in
            return Created(value: try await articles.create(context.principal, request.decodeJSON(NewArticle.self, context: context)))
        }
        group.get("kb/articles/:id") { _, context -> Article in
            try await articles.get(context.tenantID, id: context.id(entity: "article"))
        }
        group.patch("kb/articles/:id") { request, context -> Article in
            let edit = try await request.decodeJSON(ArticleEdit.self, context: context)
            return try await articles.edit(context.principal, id: context.id(entity: "article"), edit)
        }
        group.get("kb/articles/:id/versions") { _, context in
            ItemList(items: try await articles.versions(context.tenantID, id: context.id(entity: "article")))
        }
        group.get("kb/articles/:id/versions/:version") { _, context -> ArticleVersion in
            guard let number = context.parameters.get("version").flatMap(Int.init) else { throw KefuError.notFound("article version") }
            return try await articles.version(context.tenantID, id: context.id(entity: "article"), version: number)
        }
        group.post("kb/articles/:id/versions/:version/restore") { _, context -> Article in
            guard let number = context.parameters.get("version").flatMap(Int.init) else { throw KefuError.notFound("article version") }
            return try await articles.restore(context.principal, id: context.id(entity: "article"), version: number)
        }
        group.post("kb/articles/:id/votes") { request, context -> Article in
            let vote = try await request.decodeJSON(Vote.self, context: context)
            return try await articles.vote(context.principal, id: context.id(entity: "article"), helpful: vote.helpful)
        }
        group.post("kb/articles/:id/tickets") { request, context -> Linked in
            let link = try await request.decodeJSON(Link.self, context: context)
            return Linked(ticketIds: try await articles.link(context.principal, id: context.id(entity: "article"), ticketID: link.ticketId))
        }
        group.get("kb/gaps") { request, context in
            let query = request.uri.queryParameters
            func instant(_ name: String) throws -> Date? {
                guard let text = query[Substring(name)].map(String.init) else { return nil }
                guard let date = KefuJSON.parse(text) else { throw KefuError.invalidField(name, "must be an ISO 8601 date-time") }
                return date
            }
            let to = try instant("to") ?? services.clock.now()
            let from = try instant("from") ?? to.addingTimeInterval(-7 * 86_400)
            var minimum = 5
            if let text = query["min_tickets"] {
                guard let value = Int(String(text)) else { throw KefuError.invalidField("min_tickets", "must be an integer") }
                minimum = value
            }
            return ItemList(items: try await articles.gaps(context.tenantID, from: from, to: to, minimumTickets: minimum))
        }
        group.get("kb/scripts") { request, context in
            ItemList(items: try await services.scripts.list(context.tenantID, kind: request.uri.queryParameters["kind"].map(String.init)))
        }
        group.post("kb/scripts") { request, context -> Created<ReplyScript> in
            Created(value: try await services.scripts.create(context.principal, request.decodeJSON(NewReplyScript.self, context: context)))
        }
        group.post("kb/scripts/:id/render") { request, context -> RenderedScript in
            let render = try await request.decodeJSON(Render.self, context: context)
            return try await services.scripts.render(context.principal, scriptID: context.id(entity: "reply script"), ticketID: render.ticketId)
        }
    }
}

extension Article: ResponseEncodable {}
extension ArticleVersion: ResponseEncodable {}
extension ReplyScript: ResponseEncodable {}
extension RenderedScript: ResponseEncodable {}
