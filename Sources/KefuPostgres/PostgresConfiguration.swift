import Foundation

/// Where and how to connect: a `postgres://` URL or a libpq conninfo string, kept as
/// keyword/value pairs for `PQconnectdbParams` (never concatenated into a string).
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// libpq connection keywords (`host`, `port`, `user`, `password`, `dbname`, …).
    public var parameters: [String: String]

    public init(parameters: [String: String]) {
        self.parameters = parameters
    }

    /// Parses `postgres://user:pass@host:port/db?sslmode=…` (unix sockets via `?host=/dir` or a
    /// percent-encoded path as host) or a conninfo string like `host=/tmp dbname=kefu`.
    public init(_ string: String) throws {
        let trimmed = string.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            try self.init(url: trimmed)
        } else {
            try self.init(conninfo: trimmed)
        }
    }

    private init(url: String) throws {
        guard let components = URLComponents(string: url) else {
            throw PostgresError(kind: .client, message: "DATABASE_URL is not a valid postgres:// URL")
        }
        var parameters: [String: String] = [:]
        if let host = components.percentEncodedHost, !host.isEmpty {
            parameters["host"] = host.removingPercentEncoding ?? host
        }
        if let port = components.port { parameters["port"] = String(port) }
        if let user = components.user, !user.isEmpty { parameters["user"] = user }
        if let password = components.password { parameters["password"] = password }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if !path.isEmpty { parameters["dbname"] = path }
        for item in components.queryItems ?? [] {
            if let value = item.value { parameters[item.name] = value }
        }
        self.parameters = parameters
    }

    private init(conninfo: String) throws {
        var parameters: [String: String] = [:]
        var scalars = Array(conninfo.unicodeScalars)[...]
        func skipSpaces() { while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars.removeFirst() } }
        while true {
            skipSpaces()
            guard !scalars.isEmpty else { break }
            var key = ""
            while let first = scalars.first, first != "=", first != " " { key.unicodeScalars.append(scalars.removeFirst()) }
            skipSpaces()
            guard scalars.first == "=" else {
                throw PostgresError(kind: .client, message: "connection string: missing '=' after '\(key)'")
            }
            scalars.removeFirst()
            skipSpaces()
            var value = ""
            if scalars.first == "'" {
                scalars.removeFirst()
                while let first = scalars.first, first != "'" {
                    scalars.removeFirst()
                    if first == "\\", let escaped = scalars.first {
                        value.unicodeScalars.append(escaped)
                        scalars.removeFirst()
                    } else {
                        value.unicodeScalars.append(first)
                    }
                }
                guard scalars.first == "'" else {
                    throw PostgresError(kind: .client, message: "connection string: unterminated quote for '\(key)'")
                }
                scalars.removeFirst()
            } else {
                while let first = scalars.first, first != " " { value.unicodeScalars.append(scalars.removeFirst()) }
            }
            parameters[key] = value
        }
        guard !parameters.isEmpty else {
            throw PostgresError(kind: .client, message: "empty connection string")
        }
        self.parameters = parameters
    }

    /// A copy connecting to another database (used for test databases and templates).
    public func with(database: String) -> PostgresConfiguration {
        var copy = self
        copy.parameters["dbname"] = database
        return copy
    }

    /// A copy connecting as another role (no password: trust or peer authentication).
    public func with(user: String, password: String? = nil) -> PostgresConfiguration {
        var copy = self
        copy.parameters["user"] = user
        copy.parameters["password"] = password
        return copy
    }

    public var database: String? { parameters["dbname"] }
    public var user: String? { parameters["user"] }

    /// A `postgres://` URL for this configuration, password masked unless asked for.
    public func url(revealingPassword: Bool = false) -> String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = parameters["user"]
        if let password = parameters["password"] { components.password = revealingPassword ? password : "***" }
        var query: [URLQueryItem] = []
        if let host = parameters["host"] {
            if host.hasPrefix("/") {
                query.append(URLQueryItem(name: "host", value: host))
                components.host = ""
            } else {
                components.host = host
            }
        }
        if let port = parameters["port"], let number = Int(port) {
            if components.host?.isEmpty == false {
                components.port = number
            } else {
                query.append(URLQueryItem(name: "port", value: port))
            }
        }
        components.path = "/" + (parameters["dbname"] ?? "")
        for key in parameters.keys.sorted() where !["host", "port", "user", "password", "dbname"].contains(key) {
            query.append(URLQueryItem(name: key, value: parameters[key]))
        }
        if !query.isEmpty { components.queryItems = query }
        return components.string ?? "postgres://"
    }

    /// The URL with the password masked.
    public var description: String { url() }
}
