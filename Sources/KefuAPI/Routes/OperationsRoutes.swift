import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import KefuRuntime
import Prometheus

/// `/healthz` (process up), `/readyz` (database reachable), `/metrics` (Prometheus), `/openapi.yaml`.
struct OperationsRoutes {
    let services: KefuServices
    let metrics: MetricsRegistry

    struct Status: ResponseEncodable {
        var status: String
    }

    func register(on router: Router<KefuRequestContext>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz") { _, context -> Response in
            do {
                _ = try await services.pool.query("SELECT 1")
                return JSONResponse.make(.ok, Status(status: "ready"))
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
                return ErrorMiddleware<KefuRequestContext>.response(
                    .serviceUnavailable,
                    ErrorBody(error: .init(code: .unavailable, message: "database unreachable"))
                )
            }
        }
        router.get("metrics") { _, _ -> Response in
            metrics.updatePoolGauges(services.pool.statistics)
            metrics.updateTimerGauges(failed: try? await services.timerHealth.failedTimers())
            metrics.updateDeliveryGauges(try? await services.deliveryHealth.figures())
            metrics.updateReplica(services.database.replica?.statistics)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("openapi.yaml") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
        }
    }
}
