import Foundation
import HTTPTypes
import KefuAPI
import KefuCore
import KefuTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

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

/// Requests that are not valid HTTP get the JSON error shape, not an empty 400.
final class MalformedRequestTests: APITestCase {
    func testAHugeURLOrAControlCharacterInAHeaderGetsTheJSONErrorShape() async throws {
        try await withAPI(live: true) { api in
            let port = try require(api.client.port)
            let longURL = try RawHTTP.exchange(
                port: port,
                "GET /v1/tickets?q=\(String(repeating: "a", count: 1_000_000)) HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            XCTAssertTrue(longURL.hasPrefix("HTTP/1.1 431"), longURL)
            XCTAssertTrue(longURL.contains(#"{"error":{"code":"request_too_large""#), longURL)
            XCTAssertTrue(longURL.lowercased().contains("content-type: application/json"), longURL)

            let control = try RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\u{1}b\r\n\r\n")
            XCTAssertTrue(control.hasPrefix("HTTP/1.1 400"), control)
            XCTAssertTrue(control.contains(#"{"error":{"code":"bad_request""#), control)

            // The server keeps serving.
            let health = try await api.get("/healthz", key: nil)
            XCTAssertEqual(health.status, .ok)
        }
    }
}

/// Sends raw bytes to a local port and reads the answer until the server closes.
enum RawHTTP {
    static func exchange(port: Int, _ request: String) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }  // the server may answer and close before reading everything
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
