/// An open transaction on one connection, handed to the body of `transaction { tx in … }`.
public struct PostgresTransaction: PostgresQueryable {
    /// The connection the transaction runs on.
    public let connection: PostgresConnection

    public func run(_ query: PostgresQuery) async throws -> PostgresResult {
        try await connection.run(query)
    }

    /// Runs independent statements in one round trip; see `PostgresConnection.pipeline`.
    @discardableResult
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        try await connection.pipeline(queries)
    }
}

/// Transaction isolation levels.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    /// A failed rollback never hides the original error (the connection is marked broken instead).
    /// `setup` is trusted SQL run right after BEGIN in the same round trip (e.g. `SET LOCAL …`).
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel? = nil, readOnly: Bool = false, setup: String? = nil,
        _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        var begin = "BEGIN"
        if let isolation { begin += " ISOLATION LEVEL \(isolation.rawValue)" }
        if readOnly { begin += " READ ONLY" }
        if let setup { begin += "; " + setup }
        try await simpleQuery(begin)
        let value: T
        do {
            value = try await body(PostgresTransaction(connection: self))
        } catch {
            do {
                try await simpleQuery("ROLLBACK")
            } catch let rollbackError {
                logger.warning("rollback failed", metadata: ["error": "\(rollbackError)"])
                await close()
            }
            throw error
        }
        if inFailedTransaction {
            try? await simpleQuery("ROLLBACK")
            throw PostgresError(kind: .client, message: "transaction failed earlier and was rolled back")
        }
        do {
            try await simpleQuery("COMMIT")
        } catch {
            if inTransaction { try? await simpleQuery("ROLLBACK") }
            throw error
        }
        return value
    }
}
