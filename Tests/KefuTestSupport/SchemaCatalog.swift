import KefuPostgres

/// Reads the schema from the catalog, for tests that must keep holding as migrations are added.
public enum SchemaCatalog {
    /// Every table of the public schema that carries tenant data (all but `schema_migrations`).
    public static func tenantTables(_ db: some PostgresQueryable) async throws -> [String] {
        try await db.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
            ORDER BY c.relname
            """).map { try $0.decode(String.self, at: 0) }
    }
}
