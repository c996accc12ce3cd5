/// Anything that can run a bound query: a connection, a transaction, or the pool.
public protocol PostgresQueryable: Sendable {
    /// Runs one statement and returns its rows and affected-row count.
    func run(_ query: PostgresQuery) async throws -> PostgresResult
}

extension PostgresQueryable {
    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await run(query).rows
    }

    /// Runs a statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await run(query).affectedRows
    }

    /// The first row, or nil when there is none.
    public func queryFirst(_ query: PostgresQuery) async throws -> PostgresRow? {
        try await run(query).rows.first
    }

    /// Decodes every row into `type` (camelCase properties ← snake_case columns).
    public func query<Value: Decodable>(_ type: Value.Type, _ query: PostgresQuery) async throws -> [Value] {
        try await run(query).rows.map { try $0.decode(Value.self) }
    }

    /// Decodes the first row into `type`, or nil when there is none.
    public func queryFirst<Value: Decodable>(_ type: Value.Type, _ query: PostgresQuery) async throws -> Value? {
        try await run(query).rows.first.map { try $0.decode(Value.self) }
    }

    /// The first column of the first row, or nil when there is no row or it is NULL.
    public func queryScalar<Value: PostgresDecodable>(_ type: Value.Type, _ query: PostgresQuery) async throws -> Value? {
        guard let row = try await run(query).rows.first, row.values.first != nil, row.values[0] != nil else {
            return nil
        }
        return try row.decode(Value.self, at: 0)
    }
}
