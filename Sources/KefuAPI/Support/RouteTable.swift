import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// Every route the API serves, taken from the router once its routes are registered: the
/// source for `405` answers with `Allow`, and for tests that must cover each route without
/// listing them by hand.
public final class RouteTable: Sendable {
    /// One registered route: a method and a path pattern in OpenAPI style (`/v1/tickets/{id}`).
    public struct Route: Sendable, Hashable, CustomStringConvertible {
        public var method: HTTPRequest.Method
        public var path: String

        /// The path's segments; `{name}` segments are parameters.
        public var segments: [Substring] { path.split(separator: "/") }

        /// Names of the path's parameters, in order.
        public var parameters: [String] {
            segments.filter(Self.isParameter).map { String($0.dropFirst().dropLast()) }
        }

        static func isParameter(_ segment: Substring) -> Bool {
            segment.hasPrefix("{") && segment.hasSuffix("}")
        }

        public var description: String { "\(method) \(path)" }

        /// Whether a concrete request path matches this route's pattern.
        func matches(_ requestPath: String) -> Bool {
            let given = requestPath.split(separator: "/", omittingEmptySubsequences: true)
            let pattern = segments
            guard given.count == pattern.count else { return false }
            return zip(pattern, given).allSatisfy { pattern, value in Self.isParameter(pattern) || pattern == value }
        }
    }

    private let storage = NIOLockedValueBox<[Route]>([])

    public init() {}

    /// The routes served.
    public var routes: [Route] { storage.withLockedValue { $0 } }

    /// Takes the routes registered on `router` (paths in OpenAPI style).
    func load<Context>(from router: Router<Context>) {
        let routes = router.routes.map { route in
            let segments = route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }
            return Route(method: route.method, path: "/" + segments.joined(separator: "/"))
        }
        storage.withLockedValue { $0 = routes }
    }

    /// The methods served at a path (empty when no route matches it at all).
    public func methods(servedAt path: String) -> [HTTPRequest.Method] {
        var seen: [HTTPRequest.Method] = []
        for route in routes where route.matches(path) && !seen.contains(route.method) {
            seen.append(route.method)
        }
        return seen
    }
}
