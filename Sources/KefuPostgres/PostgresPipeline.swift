import CLibPQ

extension PostgresConnection {
    /// Sends several statements in one round trip (libpq pipeline mode) and returns their
    /// results in order.
    ///
    /// Use it for statements that do not depend on each other's results, e.g. the writes at the
    /// end of a transaction. The statements run in order; the first one that fails makes the
    /// rest skip, its error is thrown, and (inside a transaction) the transaction is failed as
    /// with any other statement error. Outside a transaction the pipeline runs as one implicit
    /// transaction.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        if queries.isEmpty { return [] }
        if queries.count == 1 { return [try await run(queries[0])] }
        return try await executor.run { try self.execPipeline(queries) }
    }

    /// One step of a pipeline whose result is read back in order.
    private enum Step {
        case prepare(PreparedStatementCache.Key, name: String)
        case statement(sql: String)
    }

    private func execPipeline(_ queries: [PostgresQuery]) throws -> [PostgresResult] {
        let handle = try liveHandle()
        guard PQenterPipelineMode(handle) == 1 else {
            // A connection the server has dropped cannot enter pipeline mode: that is a lost
            // connection (503 to a client), not a client error.
            let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .client : .connection
            throw PostgresError(kind: kind, message: "could not enter pipeline mode: \(String(cString: PQerrorMessage(handle)))")
        }
        var steps: [Step] = []
        var sendFailed = false
        for query in queries where !sendFailed {
            let types = query.types.map { Oid($0.rawValue) }
            let key = PreparedStatementCache.Key(sql: query.sql, types: types)
            var name = query.unprepared ? nil : statements.name(for: key)
            if name == nil, !query.unprepared, let fresh = statements.reserveName() {
                guard PQsendPrepare(handle, fresh, query.sql, Int32(types.count), types) == 1 else {
                    sendFailed = true
                    break
                }
                // Provisional: later statements of this pipeline use it; removed again if the prepare fails.
                statements.insert(key, name: fresh)
                steps.append(.prepare(key, name: fresh))
                name = fresh
            }
            let sent = Self.withBoundValues(query) { count, values, lengths, formats in
                if let name { return PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0) }
                return PQsendQueryParams(handle, query.sql, count, types, values, lengths, formats, 0)
            }
            if sent != 1 { sendFailed = true } else { steps.append(.statement(sql: query.sql)) }
        }
        let synced = !sendFailed && PQpipelineSync(handle) == 1
        defer {
            PQexitPipelineMode(handle)
            updateState(handle)
        }
        guard synced else {
            // A half-sent pipeline leaves the protocol state unknown: the pool drops this connection.
            markBroken()
            throw PostgresError(kind: .connection, message: "could not send a pipeline: \(String(cString: PQerrorMessage(handle)))")
        }
        return try readPipelineResults(handle, steps)
    }

    private func readPipelineResults(_ handle: OpaquePointer, _ steps: [Step]) throws -> [PostgresResult] {
        var results: [PostgresResult] = []
        var firstError: (any Error)?
        for step in steps {
            let result = PQgetResult(handle)
            defer { PQclear(result) }
            switch step {
            case .prepare(let key, _):
                if PQresultStatus(result) != PGRES_COMMAND_OK {
                    statements.remove(key)
                    if firstError == nil, PQresultStatus(result) != PGRES_PIPELINE_ABORTED {
                        firstError = Self.error(from: result, handle: handle, query: key.sql)
                    }
                }
            case .statement(let sql):
                if firstError == nil {
                    do { results.append(try Self.collect(result, handle: handle, query: sql)) } catch { firstError = error }
                }
            }
            // Each step's results end with a null result.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The synchronisation point closes the pipeline.
        var sync = PQgetResult(handle)
        while let result = sync, PQresultStatus(result) != PGRES_PIPELINE_SYNC {
            PQclear(result)
            sync = PQgetResult(handle)
        }
        PQclear(sync)
        if let firstError { throw firstError }
        return results
    }
}
