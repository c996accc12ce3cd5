import KefuPostgres

/// The benchmark's ticket table on the server under test: created for the run, emptied before
/// every measured run, dropped at the end.
struct BenchTable {
    var configuration: PostgresConfiguration

    /// Creates the table and its index; fails if a table of that name already exists rather
    /// than touch someone else's data.
    func create() async throws {
        try await withConnection { connection in
            for statement in TicketShape.createStatements { try await connection.simpleQuery(statement) }
        }
    }

    /// Empties the table and, where permitted, forces a checkpoint, so every run starts from the
    /// same state: an empty table and no checkpoint (or its full-page writes) due mid-run.
    /// Returns false when `CHECKPOINT` was refused (a non-superuser `--database-url`).
    @discardableResult
    func reset() async throws -> Bool {
        try await withConnection { connection in
            try await connection.simpleQuery("TRUNCATE \(TicketShape.table)")
            do {
                try await connection.simpleQuery("CHECKPOINT")
                return true
            } catch {
                return false
            }
        }
    }

    /// The number of rows in the table, to check each side's own count.
    func rowCount() async throws -> Int {
        try await withConnection { connection in
            try await connection.queryScalar(Int.self, "SELECT count(*) FROM \(unescaped: TicketShape.table)") ?? 0
        }
    }

    func drop() async throws {
        try await withConnection { try await $0.simpleQuery("DROP TABLE IF EXISTS \(TicketShape.table)") }
    }

    /// The server's version and the settings that decide whether a commit waits for the disk.
    func serverFacts() async throws -> ServerFacts {
        try await withConnection { connection in
            func setting(_ name: String) async throws -> String {
                try await connection.queryScalar(String.self, "SELECT current_setting(\(name))") ?? "?"
            }
            return ServerFacts(
                version: try await setting("server_version"),
                fsync: try await setting("fsync"),
                synchronousCommit: try await setting("synchronous_commit"),
                fullPageWrites: try await setting("full_page_writes")
            )
        }
    }

    private func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }
}
