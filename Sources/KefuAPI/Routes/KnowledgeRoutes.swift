import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

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
            let query = QueryParameters(request)
            guard let q = try query.string("q") else { throw KefuError.invalidField("q", "give a search text") }
            return ItemList(items: try await articles.search(context.tenantID, query: q, publishedOnly: query.bool("published") ?? false))
        }
        group.post("kb/articles") { request, context -> Created<Article> in
            Created(value: try await articles.create(context.principal, request.decodeJSON(NewArticle.self, context: context)))
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
            let query = QueryParameters(request)
            let to = try query.instant("to") ?? services.clock.now()
            let from = try query.instant("from") ?? to.addingTimeInterval(-7 * 86_400)
            let minimum = try query.int("min_tickets", in: 1...100_000) ?? 5
            return ItemList(items: try await articles.gaps(context.tenantID, from: from, to: to, minimumTickets: minimum))
        }
        group.get("kb/scripts") { request, context in
            ItemList(items: try await services.scripts.list(context.tenantID, kind: QueryParameters(request).string("kind")))
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
