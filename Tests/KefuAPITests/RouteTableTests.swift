import Foundation
import HTTPTypes
import KefuAPI
import KefuCore
import KefuTestSupport
import XCTest

/// The router's own table of routes: 405 with `Allow` for a known path, and the OpenAPI document
/// describing exactly the routes served.
final class RouteTableTests: APITestCase {
    func testAnUnknownMethodOnAKnownPathIs405WithAllow() async throws {
        let tenant = try await makeTenant("alpha")
        try await withAPI(live: true) { api in
            let put = try await api.send(.put, "/v1/tickets", key: tenant.apiKey, body: "{}")
            XCTAssertEqual(put.status, .methodNotAllowed, put.raw)
            XCTAssertEqual(put.errorCode, "method_not_allowed")
            XCTAssertEqual(put.headers[.allow], "POST, GET")

            let delete = try await api.send(.delete, "/v1/tickets/\(UUID())/respond", key: tenant.apiKey)
            XCTAssertEqual(delete.status, .methodNotAllowed, delete.raw)
            XCTAssertEqual(delete.headers[.allow], "POST")

            // Without a key too: the method is wrong whoever asks.
            let anonymous = try await api.send(.post, "/healthz")
            XCTAssertEqual(anonymous.status, .methodNotAllowed)
            XCTAssertEqual(anonymous.headers[.allow], "GET")

            let unknown = try await api.send(.get, "/v1/nothing-here", key: tenant.apiKey)
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertEqual(unknown.errorCode, "not_found")
        }
    }

    func testTheOpenAPIDocumentDescribesExactlyTheRoutesServed() async throws {
        let routes = RouteTable()
        _ = KefuApplication.makeRouter(services: services, configuration: .init(port: 0, maxBodyBytes: 1024), routeTable: routes)
        let served = Set(routes.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        let documented = try Self.documentedOperations(OpenAPIDocument.text())
        XCTAssertGreaterThan(served.count, 90)
        XCTAssertEqual(served.subtracting(documented).sorted(), [], "served but not in docs/openapi.yaml")
        XCTAssertEqual(documented.subtracting(served).sorted(), [], "in docs/openapi.yaml but not served")
    }

    /// `method /path` for every operation of the document (its `paths:` block is two-space
    /// indented paths with four-space indented methods).
    static func documentedOperations(_ text: String) throws -> Set<String> {
        var operations: Set<String> = []
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if !line.hasPrefix(" "), !line.isEmpty {
                path = nil
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(method) { operations.insert("\(method) \(path)") }
            }
        }
        return operations
    }
}
