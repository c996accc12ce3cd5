import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// A customer's personal data (PIPL / GDPR): `GET /v1/customers/{id}/export` for supervisors and
/// admins, `POST /v1/customers/{id}/erase` for admins (see `KefuAction`).
struct PersonalDataRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("customers/:id/export") { _, context -> CustomerExport in
            try await services.personalData.export(context.tenantID, customerID: context.id(entity: "customer"))
        }
        group.post("customers/:id/erase") { request, context -> CustomerErasure in
            let id = try context.id(entity: "customer")
            let input = try await request.decodeJSON(ErasureRequest.self, context: context)
            return try await services.personalData.erase(context.principal, customerID: id, input)
        }
    }
}

extension CustomerExport: ResponseEncodable {}
extension CustomerErasure: ResponseEncodable {}
