import Foundation
import HTTPTypes
import KefuAPI
import KefuCore
import KefuTestSupport
import XCTest

/// The router's own table of routes: a known path with another method is 405 with `Allow`.
final class RouteTableTests: APITestCase {
    func testAnUnknownMethodOnAKnownPathIs405WithAllow() async throws {
        let tenant = try await makeTenant("alpha")
        try await withAPI(live: true) { api in
            let put = try await api.send(.put, "/v1/tickets", key: tenant.apiKey, body: "{}")
            XCTAssertEqual(put.status, .methodNotAllowed, put.raw)
            XCTAssertEqual(put.errorCode, "method_not_allowed")
            XCTAssertEqual(put.headers[.allow], "GET, POST")

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
}
