import KefuPostgres

/// Reads the schema from the catalog, for tests that must keep holding as migrations are added:
/// every rule is checked on whatever the catalog holds, so a new table or function is covered
/// without editing the tests.
public enum SchemaCatalog {
    /// The tables that are not distributed by `tenant_id` on Citus, and what each becomes (the one
    /// list; `sql/citus/distribute.sql` and docs/SCALING.md follow it): `tenants` is a reference
    /// table copied to every node (its slug is unique across tenants and every tenant table
    /// references it); `deployment_mail` (sql/036, the deployment's relay, one row or none, no
    /// tenant's data) is a reference table too, because the outbox trigger on `ticket_messages`
    /// reads it on whichever node holds the tenant's shard; `schema_migrations` stays on the
    /// coordinator (only `kefu migrate` reads it). Every other table of the public schema is a
    /// tenant table, distributed by `tenant_id`.
    public static let globalTables: [String: GlobalTable] = [
        "tenants": .reference, "deployment_mail": .reference, "schema_migrations": .coordinatorOnly,
    ]

    /// How a global table lives on Citus.
    public enum GlobalTable: Sendable {
        /// `create_reference_table`: a copy on every node.
        case reference
        /// A plain table on the coordinator, never referenced by a distributed table.
        case coordinatorOnly
    }

    /// The tables distributed by `tenant_id` on Citus: every table of the public schema but the
    /// global ones and partitions (a partitioned table is distributed with its partitions).
    public static func distributedTables(_ db: some PostgresQueryable) async throws -> [String] {
        try await names(
            db,
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND c.relname <> ALL(\(Array(globalTables.keys)))
            ORDER BY c.relname
            """
        )
    }

    /// Each table's referenced tables (foreign keys to other tables), for every table of the public schema.
    public static func references(_ db: some PostgresQueryable) async throws -> [String: Set<String>] {
        var references: [String: Set<String>] = [:]
        let rows = try await db.query(
            """
            SELECT c.relname, r.relname AS referenced FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND k.conrelid <> k.confrelid
            """
        )
        for row in rows {
            references[try row.decode(String.self, "relname"), default: []].insert(try row.decode(String.self, "referenced"))
        }
        return references
    }

    /// Every table of the public schema that carries tenant data (all but `schema_migrations` and
    /// the deployment-level `deployment_mail`, sql/036).
    public static func tenantTables(_ db: some PostgresQueryable) async throws -> [String] {
        try await names(
            db,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('schema_migrations', 'deployment_mail')
              AND NOT c.relispartition
            ORDER BY c.relname
            """
        )
    }

    /// The partitions of partitioned tables (reached only through their parent).
    public static func partitions(_ db: some PostgresQueryable) async throws -> [String] {
        try await names(
            db,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relispartition AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """
        )
    }

    /// Every SECURITY DEFINER (owner-rights) function of the public schema, as `name(args)`.
    public static func ownerRightsFunctions(_ db: some PostgresQueryable) async throws -> [String] {
        try await names(
            db,
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1
            """
        )
    }

    /// The tables `role` may run `privilege` on (e.g. DELETE, TRUNCATE).
    public static func tables(_ db: some PostgresQueryable, where role: String, may privilege: String) async throws -> [String] {
        try await names(
            db,
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
              AND has_table_privilege(\(role), c.oid, \(privilege)) ORDER BY 1
            """
        )
    }

    /// The tables with a foreign key to `table` (its children).
    public static func children(_ db: some PostgresQueryable, of table: String) async throws -> [String] {
        try await names(
            db,
            """
            SELECT DISTINCT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE k.contype = 'f' AND k.confrelid = \(table)::regclass AND k.conrelid <> k.confrelid ORDER BY 1
            """
        )
    }

    /// The tables with a row trigger calling `function` before `events` (e.g. UPDATE, DELETE).
    public static func tablesWithTrigger(_ db: some PostgresQueryable, calling function: String, before events: [String]) async throws -> [String] {
        // tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update.
        let bits = events.reduce(3) { mask, event in mask | (event == "INSERT" ? 4 : event == "DELETE" ? 8 : event == "UPDATE" ? 16 : 0) }
        return try await names(
            db,
            """
            SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgfoid = \(function)::regproc AND NOT t.tgisinternal AND (t.tgtype::integer & \(bits)) = \(bits) ORDER BY 1
            """
        )
    }

    private static func names(_ db: some PostgresQueryable, _ query: PostgresQuery) async throws -> [String] {
        try await db.query(query).map { try $0.decode(String.self, at: 0) }
    }
}
