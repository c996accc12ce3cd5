import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuAPI
import KefuCore
import KefuPostgres
import KefuRuntime
import XCTest

/// A test case with its own database, the application-role pool the API uses, the worker-role
/// pool the worker uses, an owner pool for arranging and inspecting data, and the real router.
open class APITestCase: XCTestCase {
    public var database: TestDatabase!
    public var appPool: ConnectionPool!
    public var workerPool: ConnectionPool!
    /// The worker's jobs (timers, surge detection, retention) on `workerPool` and `clock`.
    public var worker: WorkerServices!
    public var ownerPool: ConnectionPool!
    public var services: KefuServices!
    public var clock: ManualClock!

    /// The cluster this test's database is made in.
    open class var cluster: TestCluster { .shared }

    open override func setUp() async throws {
        database = try await Self.cluster.makeDatabase()
        appPool = ConnectionPool(database.appConfiguration, configuration: .init(maxConnections: 8))
        ownerPool = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 4))
        clock = ManualClock(Date(timeIntervalSince1970: 1_764_000_000))
        services = KefuServices(pool: appPool, clock: clock)
        workerPool = ConnectionPool(database.workerConfiguration, configuration: .init(maxConnections: 4))
        worker = WorkerServices(pool: workerPool, clock: clock)
    }

    open override func tearDown() async throws {
        await appPool?.shutdown()
        await workerPool?.shutdown()
        await ownerPool?.shutdown()
        await database?.drop()
    }

    /// Creates a tenant the way an operator does; returns it with its admin key.
    public func makeTenant(_ slug: String) async throws -> TenantCreation {
        try await TenantAdminService(ownerPool: ownerPool).create(NewTenant(slug: slug, name: "\(slug) Ltd", timezone: "Asia/Shanghai"))
    }

    /// Runs `body` against the real router (in-process) or a live server on a free port.
    @discardableResult
    public func withAPI<Value: Sendable>(
        live: Bool = false,
        maxBodyBytes: Int = 64 * 1024,
        routes: RouteTable = RouteTable(),
        _ body: @escaping @Sendable (APIClient) async throws -> Value
    ) async throws -> Value {
        let router = KefuApplication.makeRouter(
            services: services,
            configuration: .init(port: 0, maxBodyBytes: maxBodyBytes),
            routeTable: routes
        )
        let app = Application(router: router, server: .kefu, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(live ? .live : .router) { client in
            try await body(APIClient(client: client))
        }
    }
}

/// Sends JSON requests and decodes JSON responses.
public struct APIClient: Sendable {
    public let client: any TestClientProtocol

    public struct Reply: Sendable {
        public let status: HTTPResponse.Status
        public let body: JSONValue
        public let raw: String
        public var headers = HTTPFields()

        public subscript(_ key: String) -> JSONValue? {
            guard case .object(let fields) = body else { return nil }
            return fields[key]
        }

        public var errorCode: String? { self["error"]?["code"]?.string }
        public var errorField: String? { self["error"]?["field"]?.string }
    }

    public func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        key: String? = nil,
        body: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: path,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        )
        let raw = String(buffer: response.body)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))) ?? .null
        return Reply(status: response.status, body: json, raw: raw, headers: response.headers)
    }

    public func get(_ path: String, key: String?) async throws -> Reply { try await send(.get, path, key: key) }
    public func post(_ path: String, key: String?, _ body: String) async throws -> Reply { try await send(.post, path, key: key, body: body) }
    public func patch(_ path: String, key: String?, _ body: String) async throws -> Reply { try await send(.patch, path, key: key, body: body) }
    public func delete(_ path: String, key: String?) async throws -> Reply { try await send(.delete, path, key: key) }
}

extension JSONValue {
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// JSON for a request body.
public func json(_ fields: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
}
