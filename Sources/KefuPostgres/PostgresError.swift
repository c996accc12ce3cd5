import Foundation

/// An error from the database layer.
///
/// Server errors keep everything PostgreSQL reported (SQLSTATE, severity, message, detail,
/// hint, constraint, table, column). `description` stays generic: it never contains bound
/// values or passwords, so it is safe to log; the server's own text is in the fields.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server rejected a statement.
        case server
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// Waiting for a pooled connection took longer than the pool's acquire timeout.
        case acquireTimeout
        /// The pool or listener was shut down.
        case shutdown
        /// Anything else libpq reported without a SQLSTATE.
        case client
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, when the server sent one.
    public var sqlState: String?
    public var severity: String?
    /// The server's (or libpq's) primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// The SQL text (with `$n` placeholders, never the bound values).
    public var query: String?

    public init(
        kind: Kind,
        message: String,
        sqlState: String? = nil,
        severity: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        constraint: String? = nil,
        table: String? = nil,
        column: String? = nil,
        query: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.query = query
    }

    public var description: String {
        switch kind {
        case .server:
            var text = "PostgresError(server, sqlstate: \(sqlState ?? "?")"
            if let constraint { text += ", constraint: \(constraint)" }
            if let table { text += ", table: \(table)" }
            return text + ")"
        case .decoding:
            return "PostgresError(decoding: \(message))"
        default:
            return "PostgresError(\(kind.rawValue))"
        }
    }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE 23503.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// SQLSTATE 23514.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// SQLSTATE 23502.
    public var isNotNullViolation: Bool { sqlState == "23502" }
    /// SQLSTATE 40001 (serialization failure) or 40P01 (deadlock): safe to retry the transaction.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// SQLSTATE 42501 (insufficient privilege), which includes row-level-security refusals.
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }
    /// The connection is gone: class 08, an administrator shutdown (57P01..57P03) or a broken socket.
    public var isConnectionLost: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}
