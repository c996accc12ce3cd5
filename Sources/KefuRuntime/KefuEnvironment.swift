import Foundation
import KefuCore
import KefuPostgres
import Logging

/// Kefu's configuration, read from environment variables in one place and validated at start-up.
public struct KefuEnvironment: Sendable {
    /// Owner connection (migrations, operator CLI). Nil: use the embedded cluster.
    public var databaseURL: String?
    /// Application-role (`kefu_app`) connection for the API. Nil: the embedded cluster's, or
    /// refused (owner credentials) unless `allowOwnerConnection`.
    public var appDatabaseURL: String?
    /// Worker-role (`kefu_worker`) connection for the worker, likewise.
    public var workerDatabaseURL: String?
    /// `KEFU_ALLOW_OWNER_CONNECTION=1`: the API and worker may connect with `DATABASE_URL` (the
    /// owner) and switch role, which a session can undo. Off by default; logged loudly when on.
    public var allowOwnerConnection = false
    /// Where the embedded cluster lives.
    public var home: URL
    public var httpHost: String
    public var httpPort: Int
    public var poolSize: Int
    /// How long the API trusts a resolved API key before looking it up again (0 = every request).
    public var authCacheSeconds: Int
    public var logLevel: Logger.Level
    /// Largest accepted request body.
    public var maxBodyBytes: Int
    /// Where `NNN_name.sql` migrations are read from.
    public var sqlDirectory: URL
    /// Where webhooks may point: `KEFU_WEBHOOK_ALLOWED_HOSTS` (comma-separated hosts that may be
    /// `http` and private, for development); every other host must resolve to public addresses.
    public var webhookTargets = WebhookTargetPolicy()
    /// `KEFU_CONSOLE_URL`: the agents' console, linked from group-robot alerts as
    /// `<console>/tickets/<id>`; none when unset.
    public var consoleURL: String?
    /// `KEFU_READ_DATABASE_URL`: a streaming replica of the database (connecting as `kefu_app`)
    /// for reads that tolerate a bounded lag — queue pages, searches, reports, KPIs; none when unset.
    public var readDatabaseURL: String?
    /// `KEFU_READ_MAX_LAG_SECONDS` (1–3,600, default 10): the replica serves while at most this far behind.
    public var readMaxLagSeconds = 10
    /// Email out: the deployment's relay, key, public URL and development CA (`EmailConfiguration`).
    public var email = EmailConfiguration()
    /// The live stream's heartbeat and limits (`KEFU_STREAM_HEARTBEAT_SECONDS`,
    /// `KEFU_STREAM_MAX_PER_TENANT`, `KEFU_STREAM_MAX_PER_KEY`).
    public var streams = StreamSettings()

    /// Reads and validates the variables; the error names the variable and what is wrong with it.
    public static func fromProcess(_ variables: [String: String] = ProcessInfo.processInfo.environment) throws -> KefuEnvironment {
        func value(_ name: String) -> String? {
            guard let text = variables[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError(variable: name, reason: "must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return number
        }
        func databaseURL(_ name: String) throws -> String? {
            guard let url = value(name) else { return nil }
            do { _ = try PostgresConfiguration(url) } catch {
                throw ConfigurationError(variable: name, reason: "is not a postgres:// URL or connection string")
            }
            return url
        }
        let allowOwnerText = value("KEFU_ALLOW_OWNER_CONNECTION") ?? "0"
        guard allowOwnerText == "0" || allowOwnerText == "1" else {
            throw ConfigurationError(variable: "KEFU_ALLOW_OWNER_CONNECTION", reason: "must be 0 or 1, got '\(allowOwnerText)'")
        }
        let levelText = value("KEFU_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(variable: "KEFU_LOG_LEVEL", reason: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        func consoleURL(_ text: String?) throws -> String? {
            guard let text else { return nil }
            guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(variable: "KEFU_CONSOLE_URL", reason: "must be an http(s) URL, got '\(text)'")
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let home =
            value("KEFU_HOME").map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL }
            ?? cwd.appendingPathComponent(".kefu")
        return KefuEnvironment(
            databaseURL: try databaseURL("DATABASE_URL"),
            appDatabaseURL: try databaseURL("KEFU_APP_DATABASE_URL"),
            workerDatabaseURL: try databaseURL("KEFU_WORKER_DATABASE_URL"),
            allowOwnerConnection: allowOwnerText == "1",
            home: home,
            httpHost: value("KEFU_HTTP_HOST") ?? "127.0.0.1",
            httpPort: try integer("KEFU_HTTP_PORT", default: 8080, range: 0...65535),
            poolSize: try integer("KEFU_DB_POOL_SIZE", default: 10, range: 1...500),
            authCacheSeconds: try integer("KEFU_AUTH_CACHE_SECONDS", default: 2, range: 0...300),
            logLevel: level,
            maxBodyBytes: try integer("KEFU_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20)),
            sqlDirectory: try MigrationFiles.directory(override: value("KEFU_SQL_DIR")),
            webhookTargets: WebhookTargetPolicy(allowList: value("KEFU_WEBHOOK_ALLOWED_HOSTS")),
            consoleURL: try consoleURL(value("KEFU_CONSOLE_URL")),
            readDatabaseURL: try databaseURL("KEFU_READ_DATABASE_URL"),
            readMaxLagSeconds: try integer("KEFU_READ_MAX_LAG_SECONDS", default: 10, range: 1...3600),
            email: try EmailConfiguration.read(value),
            streams: StreamSettings(
                heartbeat: .seconds(
                    try integer("KEFU_STREAM_HEARTBEAT_SECONDS", default: 15, range: StreamSettings.heartbeatSecondsRange)
                ),
                maxPerTenant: try integer("KEFU_STREAM_MAX_PER_TENANT", default: 1_000, range: StreamSettings.tenantLimitRange),
                maxPerKey: try integer("KEFU_STREAM_MAX_PER_KEY", default: 20, range: StreamSettings.keyLimitRange)
            )
        )
    }
}
