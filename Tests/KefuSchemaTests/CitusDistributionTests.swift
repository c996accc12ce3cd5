import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// Every table can be distributed by `tenant_id` on Citus (issue 16 §3, docs/SCALING.md): the
/// rules Citus enforces when `sql/citus/distribute.sql` runs, checked on the migrated catalog so
/// that a table a later migration adds is covered, and `distribute.sql` names exactly the
/// catalog's tables in an order Citus accepts. Global tables come from `SchemaCatalog.globalTables`.
final class CitusDistributionTests: APITestCase {
    /// A rule: its name, and a query answering `(relname, detail)` for each breach. `$1` in the
    /// query is the distributed tables, `$2` the reference tables.
    struct Rule: Sendable {
        let name: String
        let breaches: @Sendable (_ distributed: [String], _ reference: [String]) -> PostgresQuery
    }

    static let rules: [Rule] = [
        Rule(name: "has a NOT NULL uuid tenant_id (the distribution column)") { distributed, _ in
            """
            SELECT c.relname, 'no such column' AS detail FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(distributed))
              AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                              AND NOT a.attisdropped AND a.attnotnull AND a.atttypid = 'uuid'::regtype)
            """
        },
        Rule(name: "every primary key, unique constraint, exclusion constraint and unique index includes tenant_id") { distributed, _ in
            """
            SELECT c.relname, i.relname AS detail FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(distributed))
              AND (x.indisunique OR x.indisexclusion)
              AND NOT EXISTS (SELECT 1 FROM unnest(x.indkey) k JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k
                              WHERE a.attname = 'tenant_id')
            """
        },
        Rule(name: "a foreign key reaches a reference table, or a distributed table with tenant_id at the same place on both sides") {
            distributed,
            reference in
            """
            SELECT c.relname, k.conname || ' -> ' || r.relname AS detail FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(distributed))
              AND r.relname <> ALL(\(reference))
              AND NOT (r.relname = ANY(\(distributed)) AND EXISTS (
                  SELECT 1 FROM unnest(k.conkey, k.confkey) AS pair(mine, theirs)
                  JOIN pg_attribute ma ON ma.attrelid = k.conrelid AND ma.attnum = pair.mine
                  JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = pair.theirs
                  WHERE ma.attname = 'tenant_id' AND ta.attname = 'tenant_id'))
            """
        },
        Rule(name: "no foreign key with tenant_id sets NULL or a default on delete, or changes on update (citusdata/citus#7132)") {
            distributed,
            _ in
            """
            SELECT c.relname, k.conname AS detail FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(distributed))
              AND (k.confdeltype IN ('n', 'd') OR k.confupdtype IN ('c', 'n', 'd'))
              AND EXISTS (SELECT 1 FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n
                          WHERE a.attname = 'tenant_id')
            """
        },
        Rule(name: "a reference table references only reference tables") { _, reference in
            """
            SELECT c.relname, k.conname || ' -> ' || r.relname AS detail FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND c.relname = ANY(\(reference)) AND r.relname <> ALL(\(reference))
            """
        },
        Rule(name: "a sequence-backed column is bigint and in no key (its values order rows within a tenant, never identify them)") {
            distributed,
            _ in
            """
            SELECT c.relname, a.attname AS detail FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(distributed)) AND NOT a.attisdropped
              AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%')
              AND (a.atttypid <> 'bigint'::regtype OR EXISTS (
                  SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND (x.indisunique OR x.indisexclusion) AND a.attnum = ANY(x.indkey)))
            """
        },
    ]

    func testEveryTableIsDistributableByTenantID() async throws {
        let distributed = try await SchemaCatalog.distributedTables(ownerPool)
        XCTAssertGreaterThan(distributed.count, 40)
        let reference = SchemaCatalog.globalTables.filter { $0.value == .reference }.keys.sorted()
        var breaches: [String] = []
        for rule in Self.rules {
            for row in try await ownerPool.query(rule.breaches(distributed, reference)) {
                breaches.append("\(try row.decode(String.self, "relname")): \(rule.name): \(try row.decode(String.self, "detail"))")
            }
        }
        XCTAssertEqual(breaches, [], "tables Citus cannot distribute by tenant_id (docs/SCALING.md)")
    }

    func testEveryRuleCatchesATableThatBreaksIt() async throws {
        // A table breaking each rule at once, beside the migrated ones: each rule must name it.
        try await ownerPool.execute("CREATE TABLE test_no_tenant (id uuid PRIMARY KEY)")
        try await ownerPool.execute(
            """
            CREATE TABLE test_undistributable (
                tenant_id uuid NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY, code text UNIQUE, ticket_id uuid,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE SET NULL (ticket_id),
                FOREIGN KEY (ticket_id) REFERENCES test_no_tenant (id)
            )
            """
        )
        try await ownerPool.execute("ALTER TABLE tenants ADD COLUMN test_reference uuid REFERENCES test_no_tenant (id)")
        let distributed = try await SchemaCatalog.distributedTables(ownerPool)
        let reference = ["tenants"]
        for rule in Self.rules {
            let named = Set(try await ownerPool.query(rule.breaches(distributed, reference)).map { try $0.decode(String.self, "relname") })
            XCTAssertFalse(named.isDisjoint(with: ["test_undistributable", "test_no_tenant", "tenants"]), "\(rule.name) caught nothing")
        }
    }

    func testTheDistributionScriptNamesEveryTableInAnOrderCitusAccepts() async throws {
        let script = try Self.distributionScript()
        let reference = SchemaCatalog.globalTables.filter { $0.value == .reference }.keys.sorted()
        XCTAssertEqual(script.reference.sorted(), reference, "create_reference_table lines (SchemaCatalog.globalTables)")

        let catalog = Set(try await SchemaCatalog.distributedTables(ownerPool))
        let named = script.distributed.map(\.table)
        for table in catalog.subtracting(named).sorted() {
            XCTFail("\(table): no create_distributed_table line in sql/citus/distribute.sql")
        }
        for table in Set(named).subtracting(catalog).sorted() {
            XCTFail("\(table): a line in sql/citus/distribute.sql, but not a tenant table of the catalog")
        }
        XCTAssertEqual(named.count, Set(named).count, "a table named twice")

        // Citus creates a table's foreign keys when it distributes it: what it references comes first.
        let references = try await SchemaCatalog.references(ownerPool)
        var placed = Set(script.reference)
        for table in named {
            for referenced in references[table, default: []].subtracting(placed) where catalog.contains(referenced) {
                XCTFail("\(table): distributed before \(referenced), which it references (move its line after)")
            }
            placed.insert(table)
        }

        // One colocation group: the first table opens it, every other joins it.
        let anchor = try XCTUnwrap(script.distributed.first)
        XCTAssertEqual(anchor.colocateWith, "none", "\(anchor.table) opens the colocation group")
        for line in script.distributed.dropFirst() where line.colocateWith != anchor.table {
            XCTFail("\(line.table): colocate_with => '\(line.colocateWith)', not '\(anchor.table)'")
        }
    }

    /// The tables `sql/citus/distribute.sql` makes reference tables, and the distributed ones in order.
    static func distributionScript() throws -> (reference: [String], distributed: [(table: String, colocateWith: String)]) {
        let text = try String(contentsOf: TestCluster.sqlDirectory.appendingPathComponent("citus/distribute.sql"), encoding: .utf8)
        let referenceLine = /^SELECT create_reference_table\('([a-z0-9_]+)'\);$/
        let distributedLine = /^SELECT create_distributed_table\('([a-z0-9_]+)', 'tenant_id', colocate_with => '([a-z0-9_]+)'\);$/
        var reference: [String] = []
        var distributed: [(table: String, colocateWith: String)] = []
        for line in text.split(separator: "\n").map(String.init) where !line.hasPrefix("--") && !line.isEmpty {
            if let match = line.wholeMatch(of: referenceLine) {
                reference.append(String(match.1))
            } else if let match = line.wholeMatch(of: distributedLine) {
                distributed.append((String(match.1), String(match.2)))
            } else if line.contains("create_") {
                XCTFail("a line of sql/citus/distribute.sql not in the expected form: \(line)")
            }
        }
        return (reference, distributed)
    }
}
