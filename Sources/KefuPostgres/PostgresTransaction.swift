import Foundation

/// An open transaction on one connection, handed to the body of `transaction { tx in … }`.
///
/// BEGIN and the setup statements are not sent on their own: they go with the transaction's
/// first statement, in the same round trip. `pipelineAndCommit` sends the last statements with
/// COMMIT, so a transaction of three pipelines costs three round trips instead of five.
public struct PostgresTransaction: PostgresQueryable {
    /// The connection the transaction runs on. Statements must go through the transaction
    /// (`run`, `pipeline`, `simpleQuery`), which sends the deferred BEGIN first.
    let connection: PostgresConnection
    let state: TransactionState

    public func run(_ query: PostgresQuery) async throws -> PostgresResult {
        try await pipeline([query])[0]
    }

    /// Runs independent statements in one round trip; see `PostgresConnection.pipeline`.
    @discardableResult
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        if queries.isEmpty { return [] }
        let opening = try state.takeOpening()
        let results = try await connection.pipeline(opening + queries)
        return Array(results.dropFirst(opening.count))
    }

    /// Runs the transaction's last statements and COMMIT in one round trip. The transaction is
    /// over afterwards: a later statement throws.
    @discardableResult
    public func pipelineAndCommit(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        let opening = try state.takeOpening()
        state.finish()
        if opening.isEmpty && queries.isEmpty { return [] }
        let results = try await connection.pipeline(opening + queries + ["COMMIT"])
        return Array(results.dropFirst(opening.count).dropLast())
    }

    /// Runs a trusted `COPY … TO STDOUT` inside the transaction; see `PostgresConnection.copyOut`.
    public func copyOut(_ copyStatement: String, to write: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> Int {
        let opening = try state.takeOpening()
        if !opening.isEmpty { try await connection.pipeline(opening) }
        return try await connection.copyOut(copyStatement, to: write)
    }

    /// Runs trusted SQL text, possibly several statements (migrations), inside the transaction.
    public func simpleQuery(_ sql: String) async throws {
        let opening = try state.takeOpening()
        if !opening.isEmpty { try await connection.pipeline(opening) }
        try await connection.simpleQuery(sql)
    }
}

/// Whether a transaction's BEGIN has been sent and whether it has been committed.
final class TransactionState: @unchecked Sendable {
    private let lock = NSLock()
    private var opening: [PostgresQuery]
    private var finished = false

    init(opening: [PostgresQuery]) {
        self.opening = opening
    }

    /// Whether BEGIN went to the server (false when the body ran no statement).
    var begun: Bool { lock.withLock { opening.isEmpty } }
    var committed: Bool { lock.withLock { finished } }

    /// The BEGIN and setup statements on the first call, nothing afterwards.
    func takeOpening() throws -> [PostgresQuery] {
        try lock.withLock {
            guard !finished else { throw PostgresError(kind: .client, message: "the transaction is already committed") }
            defer { opening = [] }
            return opening
        }
    }

    func finish() { lock.withLock { finished = true } }
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
    /// `setup` are trusted statements run right after BEGIN (e.g. `set_config(…)`); BEGIN and
    /// setup go with the body's first statement, in its round trip.
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel? = nil,
        readOnly: Bool = false,
        setup: [PostgresQuery] = [],
        _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        var begin = "BEGIN"
        if let isolation { begin += " ISOLATION LEVEL \(isolation.rawValue)" }
        if readOnly { begin += " READ ONLY" }
        let state = TransactionState(opening: [PostgresQuery(unsafeSQL: begin)] + setup)
        let value: T
        do {
            value = try await body(PostgresTransaction(connection: self, state: state))
        } catch {
            if inTransaction {
                do {
                    try await simpleQuery("ROLLBACK")
                } catch let rollbackError {
                    logger.warning("rollback failed", metadata: ["error": "\(rollbackError)"])
                    await close()
                }
            }
            throw error
        }
        if state.committed || !state.begun { return value }
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
