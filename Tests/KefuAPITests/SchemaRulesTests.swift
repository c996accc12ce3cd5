import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// Rules every migration must keep: RLS forced on every tenant table, tenant_id in every key,
/// and an application role that owns nothing and bypasses nothing.
final class SchemaRulesTests: APITestCase {
    func testEveryTenantTableHasForcedRowLevelSecurityAndAPolicy() async throws {
        let rows = try await ownerPool.query("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
            """)
        XCTAssertGreaterThanOrEqual(rows.count, 4)
        for row in rows {
            let table = try row.decode(String.self, "relname")
            XCTAssertTrue(try row.decode(Bool.self, "relrowsecurity"), "\(table): RLS not enabled")
            XCTAssertTrue(try row.decode(Bool.self, "relforcerowsecurity"), "\(table): RLS not forced")
            XCTAssertGreaterThan(try row.decode(Int.self, "policies"), 0, "\(table): no policy")
        }
    }

    func testTenantIdIsPartOfEveryKeyAndIndexedUniqueness() async throws {
        // Primary keys, unique constraints and foreign keys of every tenant table, and its unique indexes.
        let violations = try await ownerPool.query("""
            SELECT c.relname, con.conname AS name
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname NOT IN ('schema_migrations', 'tenants')
              AND con.contype IN ('p', 'u', 'f')
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(con.conkey) k
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k
                  WHERE a.attname = 'tenant_id')
            UNION ALL
            SELECT c.relname, i.relname
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname NOT IN ('schema_migrations', 'tenants') AND x.indisunique
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(x.indkey) k
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k
                  WHERE a.attname = 'tenant_id')
            """)
        let names = try violations.map { "\(try $0.decode(String.self, "relname")).\(try $0.decode(String.self, "name"))" }
        XCTAssertEqual(names, [], "keys without tenant_id")

        let missingColumn = try await ownerPool.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('schema_migrations', 'tenants')
              AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            """)
        XCTAssertEqual(try missingColumn.map { try $0.decode(String.self, at: 0) }, [])
    }

    func testApplicationRoleOwnsNothingBypassesNothingAndCannotTruncate() async throws {
        let role = try require(try await ownerPool.queryFirst("""
            SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'kefu_app'
            """))
        XCTAssertEqual(try role.decode(Bool.self, "rolsuper"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolbypassrls"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolcreaterole"), false)
        let owned = try await ownerPool.queryScalar(Int.self, """
            SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'kefu_app'
            """)
        XCTAssertEqual(owned, 0)
        let truncatable = try await ownerPool.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege('kefu_app', c.oid, 'TRUNCATE')
            """)
        XCTAssertEqual(truncatable.count, 0)
        let migrations = try await ownerPool.queryScalar(Bool.self, "SELECT has_table_privilege('kefu_app', 'schema_migrations', 'SELECT')")
        XCTAssertEqual(migrations, false)
    }
}
