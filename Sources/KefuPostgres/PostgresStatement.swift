/// A statement together with the decoder of its result, so that a pipeline of statements
/// answers typed values (`let (profile, rules) = try await tx.pipeline(a, b)`) instead of
/// results read by position.
public struct PostgresStatement<Value>: Sendable {
    /// The SQL to send; nil for a value already known, which takes no place in the round trip.
    public let query: PostgresQuery?
    let decode: @Sendable (PostgresResult) throws -> Value

    /// A statement whose result `decode` turns into a value.
    public init(_ query: PostgresQuery, decode: @escaping @Sendable (PostgresResult) throws -> Value) {
        self.query = query
        self.decode = decode
    }

    /// A value known without asking the database (e.g. a row a previous round trip wrote), for a
    /// pipeline whose shape does not depend on it.
    public static func known(_ value: Value) -> PostgresStatement<Value> where Value: Sendable {
        PostgresStatement(query: nil) { _ in value }
    }

    private init(query: PostgresQuery?, decode: @escaping @Sendable (PostgresResult) throws -> Value) {
        self.query = query
        self.decode = decode
    }

    /// The statement's value in `result`, for a caller that sent `query` itself.
    public func value(from result: PostgresResult) throws -> Value {
        try decode(result)
    }

    /// The same statement, a decoding error replaced by `transform`'s (e.g. a missing row reported
    /// as the client field that named it).
    public func mapError(_ transform: @escaping @Sendable (any Error) -> any Error) -> PostgresStatement<Value> {
        let decode = self.decode
        return PostgresStatement(query: query) { result in
            do { return try decode(result) } catch { throw transform(error) }
        }
    }

    /// The same statement, its value transformed (or checked: `transform` may throw).
    public func map<Other>(_ transform: @escaping @Sendable (Value) throws -> Other) -> PostgresStatement<Other> {
        let decode = self.decode
        return PostgresStatement<Other>(query: query) { try transform(decode($0)) }
    }
}

extension PostgresQuery {
    /// This query as a statement whose result `decode` turns into a value.
    public func decoding<Value>(_ decode: @escaping @Sendable (PostgresResult) throws -> Value) -> PostgresStatement<Value> {
        PostgresStatement(self, decode: decode)
    }

    /// This query as a statement answering every row decoded into `Row` (camelCase properties ←
    /// snake_case columns).
    public func rows<Row: Decodable>(_ type: Row.Type) -> PostgresStatement<[Row]> {
        decoding { result in try result.rows.map { try $0.decode(Row.self) } }
    }

    /// This query as a statement answering its first row, or nil when there is none.
    public func firstRow() -> PostgresStatement<PostgresRow?> {
        decoding { $0.rows.first }
    }
}

extension PostgresResult {
    /// The result of no statement (what a known value's decoder is given).
    static let empty = PostgresResult(rows: [], affectedRows: 0)
}

/// Reads a pipeline's results back into its statements' values, in order.
enum PostgresStatementResults {
    /// The queries to send, known values left out.
    static func queries<each Value>(_ statements: repeat PostgresStatement<each Value>) -> [PostgresQuery] {
        var queries: [PostgresQuery] = []
        for statement in repeat each statements {
            if let query = statement.query { queries.append(query) }
        }
        return queries
    }

    /// Each statement's value, from `results` (one per sent query, in order).
    static func values<each Value>(
        _ results: [PostgresResult],
        _ statements: repeat PostgresStatement<each Value>
    ) throws -> (repeat each Value) {
        var cursor = results.makeIterator()
        func next<V>(_ statement: PostgresStatement<V>) throws -> V {
            guard statement.query != nil else { return try statement.decode(PostgresResult.empty) }
            guard let result = cursor.next() else {
                throw PostgresError(kind: .client, message: "a pipeline returned fewer results than statements")
            }
            return try statement.decode(result)
        }
        return (repeat try next(each statements))
    }
}

extension PostgresTransaction {
    /// Runs independent statements in one round trip and answers their values, in order.
    public func pipeline<each Value>(_ statements: repeat PostgresStatement<each Value>) async throws -> (repeat each Value) {
        let results = try await pipeline(PostgresStatementResults.queries(repeat each statements))
        return try PostgresStatementResults.values(results, repeat each statements)
    }

    /// `pipeline` of typed statements, sent with the transaction's COMMIT.
    public func pipelineAndCommit<each Value>(
        _ statements: repeat PostgresStatement<each Value>
    ) async throws -> (repeat each Value) {
        let results = try await pipelineAndCommit(PostgresStatementResults.queries(repeat each statements))
        return try PostgresStatementResults.values(results, repeat each statements)
    }
}
