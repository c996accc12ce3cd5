import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// Rules every migration must keep: RLS forced on every tenant table, tenant_id in every key,
/// an application role that owns nothing and bypasses nothing, owner-rights functions that are
/// pinned and not the API's, deletion only where the application deletes, and archived tickets'
/// records frozen. Each rule reads the catalog, so tables and functions added later are covered.
final class SchemaRulesTests: APITestCase {
    /// The owner-rights functions the API calls on its request path (before or outside a tenant
    /// scope): resolving a key, resolving a survey token, the failed-timer count on /metrics, and
    /// erasing a customer's personal data (inside the tenant's transaction; sql/021).
    static let requestPathFunctions: Set<String> = [
        "kefu_authenticate(bytea)", "kefu_survey_tenant(bytea)", "kefu_failed_timer_count()",
        "kefu_erase_customer(uuid,uuid,text,timestamp with time zone)", "kefu_delivery_health(timestamp with time zone)",
        "kefu_inbound_email_tenant(bytea)",
    ]
    /// The only tables the application deletes from: routing rules, the SLA policy set a PUT
    /// replaces, the tags taken off a ticket (sql/023), a removed template override (sql/030) and a
    /// deleted webhook (sql/034) or robot (sql/035), a removed tenant mail relay (sql/036).
    static let applicationDeletes: Set<String> = [
        "routing_rules", "sla_policies", "ticket_tags", "customer_templates", "webhooks", "robots", "mail_relays",
    ]
    /// Deployment-level tables: no tenant's data, the same for all (sql/036: whether the
    /// deployment has a mail relay, as the worker announces it; readable, not writable, by the
    /// application roles).
    static let deploymentTables: Set<String> = ["deployment_mail"]
    /// Children of tickets that hold work about a ticket which goes on after it is archived
    /// (see sql/017); every other child is frozen with the ticket.
    static let workAfterArchive: Set<String> = ["ticket_timers", "followups", "qa_reviews", "agent_complaints", "kb_article_tickets"]

    func testEveryTenantTableHasForcedRowLevelSecurityAndAPolicy() async throws {
        let rows = try await ownerPool.query(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                      AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_setting(''app.tenant_id''%'
                      AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%current_setting(''app.tenant_id''%') AS policies
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
            """
        )
        XCTAssertGreaterThanOrEqual(rows.count, 4)
        for row in rows {
            let table = try row.decode(String.self, "relname")
            if Self.deploymentTables.contains(table) { continue }
            XCTAssertTrue(try row.decode(Bool.self, "relrowsecurity"), "\(table): RLS not enabled")
            XCTAssertTrue(try row.decode(Bool.self, "relforcerowsecurity"), "\(table): RLS not forced")
            XCTAssertGreaterThan(try row.decode(Int.self, "policies"), 0, "\(table): no tenant policy (USING and WITH CHECK on app.tenant_id)")
        }
    }

    func testTenantIdIsPartOfEveryKeyAndIndexedUniqueness() async throws {
        // Primary keys, unique constraints and foreign keys of every tenant table, and its unique indexes.
        let violations = try await ownerPool.query(
            """
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
            """
        )
        let names = try violations.filter { !Self.deploymentTables.contains(try $0.decode(String.self, "relname")) }
            .map { "\(try $0.decode(String.self, "relname")).\(try $0.decode(String.self, "name"))" }
        XCTAssertEqual(names, [], "keys without tenant_id")

        let missingColumn = try await ownerPool.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('schema_migrations', 'tenants')
              AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            """
        )
        XCTAssertEqual(try missingColumn.map { try $0.decode(String.self, at: 0) }.filter { !Self.deploymentTables.contains($0) }, [])
    }

    func testApplicationRoleOwnsNothingBypassesNothingAndCannotTruncate() async throws {
        let role = try require(
            try await ownerPool.queryFirst(
                """
                SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'kefu_app'
                """
            )
        )
        XCTAssertEqual(try role.decode(Bool.self, "rolsuper"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolbypassrls"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolcreaterole"), false)
        let owned = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'kefu_app'
            """
        )
        XCTAssertEqual(owned, 0)
        let truncatable = try await ownerPool.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege('kefu_app', c.oid, 'TRUNCATE')
            """
        )
        XCTAssertEqual(truncatable.count, 0)
        let migrations = try await ownerPool.queryScalar(Bool.self, "SELECT has_table_privilege('kefu_app', 'schema_migrations', 'SELECT')")
        XCTAssertEqual(migrations, false)
    }

    func testOwnerRightsFunctionsArePinnedAndOwnedByTheDefinerRole() async throws {
        let definer = try require(
            try await ownerPool.queryFirst(
                """
                SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'kefu_definer'
                """
            )
        )
        XCTAssertEqual(try definer.decode(Bool.self, "rolsuper"), false)
        XCTAssertEqual(try definer.decode(Bool.self, "rolbypassrls"), true)
        XCTAssertEqual(try definer.decode(Bool.self, "rolcanlogin"), false)
        let functions = try await SchemaCatalog.ownerRightsFunctions(ownerPool)
        XCTAssertGreaterThanOrEqual(functions.count, 5)
        let unpinned = try await ownerPool.query(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
              AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
            """
        ).map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(unpinned, [], "owner-rights functions without a fixed search_path")
        let misowned = try await ownerPool.query(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef AND pg_get_userbyid(p.proowner) <> 'kefu_definer'
            """
        ).map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(misowned, [], "owner-rights functions must be owned by kefu_definer (ALTER FUNCTION … OWNER TO kefu_definer)")
    }

    func testAnOwnerRightsFunctionALaterMigrationCreatesIsHandedToTheDefiner() async throws {
        try await ownerPool.execute(
            """
            CREATE FUNCTION test_later_owner_rights() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = public, pg_temp AS $$ SELECT count(*) FROM tickets $$
            """
        )
        let owner = try await ownerPool.queryScalar(
            String.self,
            """
            SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'test_later_owner_rights'
            """
        )
        XCTAssertEqual(owner, "kefu_definer")
        let counted = try await ownerPool.queryScalar(Int.self, "SELECT test_later_owner_rights()")
        XCTAssertEqual(counted, 0, "the definer can read the tables (BYPASSRLS, granted by default)")
    }

    func testTheAPIRoleExecutesOnlyRequestPathOwnerRightsFunctions() async throws {
        let executable = try await ownerPool.query(
            """
            SELECT p.oid::regprocedure::text AS function, has_function_privilege('kefu_app', p.oid, 'EXECUTE') AS app,
                   EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0) AS public
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
            """
        )
        XCTAssertGreaterThanOrEqual(executable.count, 5)
        for row in executable {
            let function = try row.decode(String.self, "function")
            XCTAssertFalse(try row.decode(Bool.self, "public"), "\(function) is executable by PUBLIC")
            if try row.decode(Bool.self, "app") {
                XCTAssertTrue(Self.requestPathFunctions.contains(function), "kefu_app may execute \(function), which is not a request-path function")
            }
        }
        for function in [
            "kefu_claim_due_timers(timestamp with time zone,integer,interval)",
            "kefu_claim_due_record_timers(timestamp with time zone,integer,interval)",
            "kefu_claim_due_deliveries(timestamp with time zone,integer,integer,interval)",
            "kefu_act_on_sla_timers(timestamp with time zone,uuid[],uuid[],text[],jsonb)",
            "kefu_prune_intake_counters(timestamp with time zone,integer)",
            "kefu_surge_readings(timestamp with time zone,timestamp with time zone,jsonb)",
        ] {
            let worker = try await ownerPool.queryScalar(Bool.self, "SELECT has_function_privilege('kefu_worker', \(function), 'EXECUTE')")
            XCTAssertEqual(worker, true, function)
        }
    }

    func testTheApplicationRolesDeleteOnlyWhereTheApplicationDeletes() async throws {
        for role in ["kefu_app", "kefu_worker"] {
            let deletable = try await SchemaCatalog.tables(ownerPool, where: role, may: "DELETE")
            XCTAssertEqual(Set(deletable), Self.applicationDeletes, "\(role) may DELETE from")
            let truncatable = try await SchemaCatalog.tables(ownerPool, where: role, may: "TRUNCATE")
            XCTAssertEqual(truncatable, [], "\(role) may TRUNCATE")
        }
        let status = try await ownerPool.queryScalar(Bool.self, "SELECT has_column_privilege('kefu_app', 'tenants', 'status', 'UPDATE')")
        XCTAssertEqual(status, false, "the application cannot change a tenant's status")
    }

    func testTheWorkerRoleIsTheApplicationRolePlusTheWorkerFunctions() async throws {
        let role = try require(
            try await ownerPool.queryFirst(
                """
                SELECT rolsuper, rolbypassrls, rolcreaterole, rolcanlogin, pg_has_role('kefu_worker', 'kefu_app', 'MEMBER') AS app,
                       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
                FROM pg_roles r WHERE rolname = 'kefu_worker'
                """
            )
        )
        XCTAssertEqual(try role.decode(Bool.self, "rolsuper"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolbypassrls"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolcreaterole"), false)
        XCTAssertEqual(try role.decode(Bool.self, "rolcanlogin"), true)
        XCTAssertEqual(try role.decode(Bool.self, "app"), true)
        XCTAssertEqual(try role.decode(Int.self, "owned"), 0)
    }

    func testArchivedTicketsAndTheirRecordsAreFrozen() async throws {
        let guarded = try await SchemaCatalog.tablesWithTrigger(ownerPool, calling: "kefu_protect_archived", before: ["UPDATE", "DELETE"])
        XCTAssertEqual(guarded, ["tickets"])
        let children = try await SchemaCatalog.children(ownerPool, of: "tickets")
        XCTAssertGreaterThanOrEqual(children.count, 6)
        let frozen = Set(
            try await SchemaCatalog.tablesWithTrigger(ownerPool, calling: "kefu_freeze_archived_children", before: ["UPDATE", "DELETE"])
        )
        for child in children where !Self.workAfterArchive.contains(child) {
            XCTAssertTrue(frozen.contains(child), "\(child) references tickets but is not frozen when its ticket is archived")
        }
        // The audit trail is append-only for the roles that run the application.
        for role in ["kefu_app", "kefu_worker"] {
            for privilege in ["UPDATE", "DELETE"] {
                let allowed = try await ownerPool.queryScalar(Bool.self, "SELECT has_table_privilege(\(role), 'ticket_events', \(privilege))")
                XCTAssertEqual(allowed, false, "\(role) \(privilege) ticket_events")
            }
        }
    }
}
