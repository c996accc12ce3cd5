import Foundation
import KefuPostgres

/// Hands a connection to pgbench through libpq's `PG*` environment variables, so the same
/// server and database are reached without building a conninfo string (no quoting to get
/// wrong) and without a password on the command line.
enum PgbenchEnvironment {
    /// libpq connection keywords and the environment variables that set them.
    static let variables: [String: String] = [
        "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
        "user": "PGUSER", "password": "PGPASSWORD", "passfile": "PGPASSFILE", "service": "PGSERVICE",
        "options": "PGOPTIONS", "application_name": "PGAPPNAME", "channel_binding": "PGCHANNELBINDING",
        "sslmode": "PGSSLMODE", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslrootcert": "PGSSLROOTCERT",
        "sslcrl": "PGSSLCRL", "sslcrldir": "PGSSLCRLDIR", "sslsni": "PGSSLSNI", "requirepeer": "PGREQUIREPEER",
        "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION", "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
        "gssencmode": "PGGSSENCMODE", "krbsrvname": "PGKRBSRVNAME", "gsslib": "PGGSSLIB",
        "connect_timeout": "PGCONNECT_TIMEOUT", "client_encoding": "PGCLIENTENCODING",
        "target_session_attrs": "PGTARGETSESSIONATTRS",
    ]

    /// This process's environment with any inherited `PG*` settings replaced by `configuration`'s.
    static func environment(for configuration: PostgresConfiguration) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        for (key, value) in configuration.parameters {
            guard let variable = variables[key] else { throw BenchError.unsupportedConnectionParameter(key) }
            environment[variable] = value
        }
        return environment
    }
}
