import Foundation
import KefuAPI
import KefuCore
import KefuTestSupport
import XCTest

final class OperationsTests: APITestCase {
    func testHealthReadinessAndMetrics() async throws {
        let a = try await makeTenant("alpha")
        try await withAPI { api in
            let value1 = try await api.get("/healthz", key: nil).status
            XCTAssertEqual(value1, .ok)
            let ready = try await api.get("/readyz", key: nil)
            XCTAssertEqual(ready["status"]?.string, "ready")
            _ = try await api.get("/v1/me", key: a.apiKey)
            let metrics = try await api.get("/metrics", key: nil)
            XCTAssertEqual(metrics.status, .ok)
            XCTAssertTrue(metrics.raw.contains("kefu_db_pool_open_connections"), metrics.raw)
            XCTAssertTrue(metrics.raw.contains("http_requests_total") || metrics.raw.contains("http_server_request"), metrics.raw)
        }
    }

    func testReadinessFailsWhenTheDatabaseIsGone() async throws {
        await appPool.shutdown()
        try await withAPI { api in
            let reply = try await api.get("/readyz", key: nil)
            XCTAssertEqual(reply.status, .serviceUnavailable)
            XCTAssertEqual(reply.errorCode, "unavailable")
        }
    }

    func testUnknownRoutesAnswerJSON404() async throws {
        try await withAPI { api in
            let reply = try await api.get("/v2/nothing", key: nil)
            XCTAssertEqual(reply.status, .notFound)
            XCTAssertEqual(reply.errorCode, "not_found")
        }
    }

    /// Every route is documented in docs/openapi.yaml and every documented operation exists.
    func testOpenAPIDocumentMatchesTheRoutes() async throws {
        let router = KefuApplication.makeRouter(services: services, configuration: .init())
        let routes = Set(
            router.routes.map { route -> String in
                let path = route.path.description.split(separator: "/").map { segment in
                    segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                }.joined(separator: "/")
                return "\(route.method.rawValue.lowercased()) /\(path)"
            }
        )
        let document = try OpenAPIDocument.text()
        XCTAssertTrue(document.hasPrefix("openapi: 3.1"))
        var documented = Set<String>()
        var currentPath: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "),
                let method = ["get", "post", "patch", "put", "delete"].first(where: { line == "    \($0):" })
            {
                documented.insert("\(method) \(path)")
            } else if !line.hasPrefix(" "), !line.isEmpty {
                currentPath = nil
            }
        }
        XCTAssertEqual(routes.subtracting(documented).sorted(), [], "routes missing from docs/openapi.yaml")
        XCTAssertEqual(documented.subtracting(routes).sorted(), [], "documented operations with no route")
        try await withAPI { api in
            let served = try await api.get("/openapi.yaml", key: nil)
            XCTAssertEqual(served.status, .ok)
            XCTAssertTrue(served.raw.hasPrefix("openapi: 3.1"))
        }
    }

    /// The error codes the document promises are exactly the ones the code can answer with.
    func testOpenAPIErrorCodesAreTheCodesOfErrorCode() throws {
        let document = try OpenAPIDocument.text()
        let start = try require(document.range(of: "code:\n              type: string\n              enum: ["))
        let end = try require(document[start.upperBound...].firstIndex(of: "]"))
        let documented = document[start.upperBound..<end].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(Set(documented), Set(ErrorCode.allCases.map(\.rawValue)))
        XCTAssertEqual(documented.count, ErrorCode.allCases.count, "each code once")
    }
}
