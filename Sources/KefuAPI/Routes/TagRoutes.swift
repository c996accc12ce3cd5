import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/tags`: the three-level taxonomy; everyone reads, admins and supervisors manage it.
struct TagRoutes {
    let services: KefuServices

    /// The whole taxonomy: top-level tags with nested `children`.
    struct Taxonomy: ResponseEncodable {
        var items: [Tag]
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("tags") { _, context -> Taxonomy in
            Taxonomy(items: try await services.tags.tree(context.tenantID))
        }
        group.post("tags") { request, context -> Created<Tag> in
            let input = try await request.decodeJSON(NewTag.self, context: context)
            return Created(value: try await services.tags.create(context.tenantID, input))
        }
        group.get("tags/:id") { _, context -> Tag in
            try await services.tags.get(context.tenantID, id: context.id(entity: "tag"))
        }
        group.patch("tags/:id") { request, context -> Tag in
            let id = try context.id(entity: "tag")
            let input = try await request.decodeJSON(TagRename.self, context: context)
            return try await services.tags.rename(context.tenantID, id: id, input)
        }
    }
}

extension Tag: ResponseEncodable {}
