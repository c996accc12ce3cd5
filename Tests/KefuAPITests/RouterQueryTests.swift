import Foundation
import KefuAPI
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// Every statement the API sends filters on one tenant (`tenant_id = $n`), so that Citus can
/// route it to one shard (issue 16 §3, docs/SCALING.md). Requests through the real router —
/// intake, actions, search, and every GET route of the route table — on a cluster with
/// `pg_stat_statements`; then each statement the application role ran is checked.
final class RouterQueryTests: APITestCase {
    override class var cluster: TestCluster { .statementStatistics }

    override func setUp() async throws {
        try await super.setUp()
        // The integrations' routes as a deployment runs them: a tenant relay on a local host, its
        // password sealed with a deployment key.
        services = KefuServices(
            pool: appPool,
            clock: clock,
            webhookTargets: WebhookTargetPolicy(allowedHosts: ["127.0.0.1"]),
            secrets: try SecretBox(secret: "a deployment key of at least 32 characters")
        )
    }

    /// Statements that need no tenant filter: transaction control, the tenant setting itself
    /// (`TenantDatabase.tenantSetting`), the per-transaction planner settings (their constants
    /// are `$n` in `pg_stat_statements`) and a bare `SELECT 1`. Calls of the
    /// owner-rights functions the application role may execute are allowed too, read from the
    /// catalog (SchemaRulesTests keeps that set to the request-path ones), each with its reason in
    /// `ownerRightsCalls` (docs/SCALING.md says how each reaches one tenant).
    static var allowed: [Regex<Substring>] {
        [
            /^(?:BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\b.*/,
            /^SET (?:LOCAL )?\w+(?:\.\w+)? = .*/,
            // The reference table (one row per tenant, on every node) by its key.
            /^(?:SELECT [^;]* FROM|UPDATE) tenants (?:SET [^;]* )?WHERE id = \$\d+.*/.dotMatchesNewlines(),
            /^SELECT set_config\([^()]*\)(?:, set_config\([^()]*\))*$/,
            /^SELECT (?:\$\d+|1)$/,
        ]
    }

    /// The owner-rights functions `kefu_app` may call, each with why it is allowed without a tenant
    /// filter (docs/SCALING.md has what each costs on Citus). The credential lookups are across
    /// tenants by design: they find the tenant before any tenant is known.
    static let ownerRightsCalls: [String: String] = [
        "kefu_authenticate": "an API key's hash to its tenant, before any tenant is known (every shard of api_keys, on a PrincipalCache miss)",
        "kefu_survey_tenant": "a survey token's hash to its tenant, the same shape (a customer's survey page has no key)",
        "kefu_inbound_email_tenant":
            "an inbound-email token's hash to its tenant, the same shape (the sending MTA has no key; every shard of inbound_email_tokens, once per mail)",
        "kefu_failed_timer_count": "a count across tenants on /metrics, without locks",
        "kefu_delivery_health": "counts across tenants on /metrics, without locks",
        "kefu_erase_customer": "runs in the tenant's transaction and filters on its tenant",
    ]

    /// Statements known not to be router queries yet, each with its plan in docs/SCALING.md:
    /// the surge check at intake reads one tenant's counters through `kefu_intake_readings`, which
    /// takes an array of tenants (the worker's sweep passes many) and joins them from `tenants`.
    static let knownOffenders = ["FROM kefu_intake_readings("]

    /// The statement names the tenant: `tenant_id = $n` (any alias), or an INSERT whose column
    /// list has tenant_id where its VALUES (or SELECT list) has a parameter (other INSERTs of the
    /// same statement may take it from that one, through a WITH clause).
    static func filtersOnOneTenant(_ statement: String) -> Bool {
        if statement.contains(/(?:^|[^\w.])(?:\w+\.)?tenant_id\s*=\s*\$\d+/) { return true }
        return statement.matches(of: /INSERT INTO \w+(?: AS \w+)? \(([^)]*)\)\s*(?:VALUES\s*\(|SELECT )([^;]*)/).contains { insert in
            let columns = insert.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard let position = columns.firstIndex(of: "tenant_id") else { return false }
            let values = insert.2.split(separator: ",", maxSplits: position + 1).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            return values.count > position && values[position].prefixMatch(of: /\$\d+/) != nil
        }
    }

    /// The tables a statement reads or writes, of `tables` (names after FROM, JOIN, INTO, UPDATE).
    static func tablesNamed(in statement: String, of tables: Set<String>) -> Set<String> {
        Set(statement.matches(of: /(?i)\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)/).map { String($0.1) }).intersection(tables)
    }

    func testEveryStatementOfTheRequestPathFiltersOnOneTenant() async throws {
        try await ownerPool.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        let alpha = try await makeTenant("alpha")
        _ = try await makeTenant("bravo")
        var ids = try await exercise(alpha.apiKey)
        ids.merge(try await exerciseIntegrations(alpha.apiKey)) { $1 }
        let swept = try await sweepReads(alpha.apiKey, ids: ids)
        XCTAssertGreaterThan(swept, 30, "GET routes requested")

        let definerCalls = try await ownerPool.query(
            """
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef AND has_function_privilege('kefu_app', p.oid, 'EXECUTE')
            """
        ).map { try $0.decode(String.self, at: 0) + "(" }
        for call in definerCalls where Self.ownerRightsCalls[String(call.dropLast())] == nil {
            XCTFail("\(call.dropLast()): an owner-rights function kefu_app may call, with no reason in ownerRightsCalls (docs/SCALING.md)")
        }
        // Functions whose every statement filters on their tenant parameter (`tenant_id = p_…`).
        let tenantFunctionCalls = try await ownerPool.query(
            """
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND NOT p.prosecdef AND p.prosrc ~ 'tenant_id\\s*=\\s*p_\\w+'
            """
        ).map { try $0.decode(String.self, at: 0) + "(" }
        let statements = try await ownerPool.query(
            """
            SELECT s.query FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
            WHERE r.rolname = 'kefu_app' AND s.toplevel AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY s.query
            """
        ).map { try $0.decode(String.self, at: 0).trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertGreaterThan(statements.count, 100, "statements recorded")
        let tables = try await SchemaCatalog.distributedTables(ownerPool)
        // The integrations' tables and the inbound token lookup were reached by the requests above.
        for table in ["mail_relays", "inbound_email_tokens", "inbound_emails", "channel_messages"] {
            XCTAssertTrue(statements.contains { Self.tablesNamed(in: $0, of: [table]) == [table] }, "no statement on \(table)")
        }
        XCTAssertTrue(statements.contains { $0.contains("kefu_inbound_email_tenant(") }, "the inbound token lookup")
        // Other functions that read or write tenant tables: a call of one hides its statements.
        let tableFunctionCalls = try await ownerPool.query(
            """
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND NOT p.prosecdef
              AND EXISTS (SELECT 1 FROM unnest(\(tables)::text[]) t WHERE p.prosrc ~* ('(from|join|into|update)\\s+' || t || '\\M'))
            """
        ).map { try $0.decode(String.self, at: 0) + "(" }
        let offenders = statements.filter { statement in
            guard !Self.allowed.contains(where: { statement.wholeMatch(of: $0) != nil }),
                !definerCalls.contains(where: { statement.contains($0) }),
                !tenantFunctionCalls.contains(where: { statement.contains($0) })
            else { return false }
            if tableFunctionCalls.contains(where: { statement.contains($0) }) { return true }
            return !Self.tablesNamed(in: statement, of: Set(tables)).isEmpty && !Self.filtersOnOneTenant(statement)
        }
        for statement in offenders where !Self.knownOffenders.contains(where: { statement.contains($0) }) {
            XCTFail("not a single-tenant (router) statement: \(statement.replacingOccurrences(of: "\n", with: " "))")
        }
    }

    func testTheClassifierTellsRouterStatementsFromOthers() {
        XCTAssertTrue(Self.filtersOnOneTenant("SELECT id FROM tickets t WHERE t.tenant_id = $1 AND t.id = $2"))
        XCTAssertTrue(Self.filtersOnOneTenant("INSERT INTO tags (tenant_id, name) VALUES ($1, $2) RETURNING id"))
        XCTAssertTrue(Self.filtersOnOneTenant("INSERT INTO tags (name, tenant_id) SELECT $1, $2 FROM agents"))
        XCTAssertFalse(Self.filtersOnOneTenant("SELECT id FROM tickets WHERE id = $1"))
        XCTAssertFalse(Self.filtersOnOneTenant("UPDATE tickets SET subject = $1 WHERE tenant_id IS NOT NULL"))
        XCTAssertFalse(Self.filtersOnOneTenant("INSERT INTO tags (tenant_id, name) SELECT tenant_id, name FROM tags"))
        XCTAssertEqual(
            Self.tablesNamed(in: "SELECT 1 FROM tickets t JOIN agents a ON a.id = t.owner_id", of: ["tickets", "agents", "tags"]),
            ["tickets", "agents"]
        )
        XCTAssertEqual(Self.tablesNamed(in: "SELECT pg_notify($1, $2)", of: ["tickets"]), [])
    }

    /// Writes through the API as a tenant's day brings them; answers the ids made, by the path
    /// segment that names their kind.
    private func exercise(_ key: String) async throws -> [String: String] {
        try await withAPI { api in
            var ids: [String: String] = [:]
            func create(_ path: String, _ body: [String: Any], kind: String, idPath: [String] = ["id"]) async throws {
                let reply = try await api.post(path, key: key, json(body))
                XCTAssertTrue([.ok, .created].contains(reply.status), "\(path): \(reply.raw)")
                var value: JSONValue? = reply.body
                for part in idPath { value = value?[part] }
                ids[kind] = value?.string
            }
            func act(_ path: String, _ body: [String: Any]) async throws {
                let reply = try await api.post(path, key: key, json(body))
                XCTAssertTrue((200..<300).contains(reply.status.code), "\(path): \(reply.raw)")
            }
            try await create("/v1/departments", ["name": "Legal"], kind: "departments")
            try await create("/v1/agents", ["name": "A Agent", "email": "agent@alpha.cn", "role": "supervisor"], kind: "agents")
            try await create("/v1/customers", ["name": "A Customer"], kind: "customers")
            try await create("/v1/tags", ["name": "Payments"], kind: "tags")
            try await create("/v1/routing-rules", ["name": "Refunds", "keywords": ["refund"]], kind: "routing-rules")
            try await create("/v1/api-keys", ["name": "gateway"], kind: "api-keys", idPath: ["key", "id"])
            let intake: [String: Any] = [
                "customer": ["name": "Complainer", "high_value": true], "channel": "chat", "category": "complaint",
                "priority": "P1", "description": "Payment failed twice, refund please",
            ]
            try await create("/v1/tickets", intake, kind: "tickets")
            let ticket = ids["tickets"] ?? ""
            try await act("/v1/tickets/\(ticket)/respond", ["body": "Looking into it"])
            try await act("/v1/tickets/\(ticket)/notes", ["body": "Card issuer declined"])
            try await act("/v1/tickets/\(ticket)/resolve", ["solution_summary": "Refunded"])
            try await act("/v1/tickets/\(ticket)/reopen", ["reason": "Charged again"])
            try await create("/v1/tickets", intake, kind: "tickets")
            try await create("/v1/kb/articles", ["title": "Refunds", "body": "How refunds work", "status": "published"], kind: "articles")
            try await create("/v1/kb/scripts", ["kind": "soothe", "name": "Calm", "body": "I understand."], kind: "scripts")
            try await create(
                "/v1/events",
                ["name": "Sale", "starts_at": "2030-11-11T00:00:00Z", "ends_at": "2030-11-12T00:00:00Z"],
                kind: "events"
            )
            try await create("/v1/surge/activate", [:], kind: "incidents")
            try await act("/v1/surge/deactivate", [:])
            try await create("/v1/training/courses", ["name": "Empathy", "method": "internal", "content_area": "communication"], kind: "courses")
            for query in ["q=refund", "q=Payment", "status=resolved", "limit=5"] {
                let page = try await api.get("/v1/tickets?\(query)", key: key)
                XCTAssertEqual(page.status, .ok, page.raw)
            }
            return ids
        }
    }

    /// The integrations' writes: the tenant's mail relay (`/v1/mail-relay`), email in through the
    /// tenant's token (`/v1/inbound/email/{token}`: a new ticket, the same mail again, a reply),
    /// a channel-bound webhook and chat messages (`/v1/channels/{channel}/messages`: a new
    /// conversation, the same message again, the next one joining it), and an agent's reply on the
    /// email ticket (the email outbox).
    private func exerciseIntegrations(_ key: String) async throws -> [String: String] {
        func fixture(_ name: String, _ replacements: [String: String] = [:]) throws -> String {
            let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/email/\(name)", withExtension: "eml"))
            var text = try String(contentsOf: url, encoding: .utf8)
            for (placeholder, value) in replacements { text = text.replacingOccurrences(of: "{\(placeholder)}", with: value) }
            return text
        }
        let foxmail = try fixture("foxmail-gbk")
        let gmail = try fixture("gmail-utf8", ["SUBJECT": "订单12345支付失败"])
        return try await withAPI { api in
            var ids: [String: String] = [:]
            let relay = json([
                "host": "127.0.0.1", "port": 2525, "security": "starttls", "username": "kefu", "password": "relay-secret",
                "from_address": "support@alpha.cn",
            ])
            let stored = try await api.send(.put, "/v1/mail-relay", key: key, body: relay)
            XCTAssertEqual(stored.status, .ok, stored.raw)
            let mine = try await api.get("/v1/mail-relay", key: key)
            XCTAssertEqual(mine["relay"]?["from_address"]?.string, "support@alpha.cn", mine.raw)

            let issued = try await api.post("/v1/inbound/email-token", key: key, "")
            XCTAssertEqual(issued.status, .created, issued.raw)
            let token = try XCTUnwrap(issued["token"]?.string)
            let headers = ["Content-Type": "message/rfc822"]
            let opened = try await api.send(.post, "/v1/inbound/email/\(token)", body: foxmail, headers: headers)
            XCTAssertEqual(opened.status, .created, opened.raw)
            let emailTicket = try XCTUnwrap(opened["ticket_id"]?.string)
            let again = try await api.send(.post, "/v1/inbound/email/\(token)", body: foxmail, headers: headers)
            XCTAssertEqual(again.status, .ok, again.raw)
            XCTAssertEqual(again["reason"]?.string, "duplicate", again.raw)
            XCTAssertEqual(again["ticket_id"]?.string, emailTicket, "the same mail again changes nothing")
            let reply = try await api.send(.post, "/v1/inbound/email/\(token)", body: gmail, headers: headers)
            XCTAssertTrue([.ok, .created].contains(reply.status), reply.raw)
            let answered = try await api.post("/v1/tickets/\(emailTicket)/respond", key: key, json(["body": "已为您核实订单"]))
            XCTAssertEqual(answered.status, .ok, answered.raw)

            let hook = json(["url": "http://127.0.0.1:9/chat", "events": ["reply.created"], "channel": "chat"])
            let webhook = try await api.post("/v1/webhooks", key: key, hook)
            XCTAssertEqual(webhook.status, .created, webhook.raw)
            ids["webhooks"] = webhook["id"]?.string
            func chat(_ messageID: String, _ text: String) async throws -> APIClient.Reply {
                let body = json(["message_id": messageID, "customer": ["external_id": "wx-openid-7f3a", "name": "微信用户 小周"], "text": text])
                return try await api.post("/v1/channels/chat/messages", key: key, body)
            }
            let first = try await chat("msg-1", "你好，我的订单一直显示待发货")
            XCTAssertEqual(first.status, .created, first.raw)
            let repeated = try await chat("msg-1", "你好，我的订单一直显示待发货")
            XCTAssertEqual(repeated.status, .ok, repeated.raw)
            let next = try await chat("msg-2", "尾号 6612")
            XCTAssertEqual(next.status, .created, next.raw)
            XCTAssertEqual(next["ticket_id"]?.string, first["ticket_id"]?.string, "joins the open conversation")
            return ids
        }
    }

    /// Every GET route of the route table, its ids filled from `ids` (routes whose kind of id was
    /// not made are left out); answers how many were requested.
    private func sweepReads(_ key: String, ids: [String: String]) async throws -> Int {
        let routes = RouteTable()
        return try await withAPI(routes: routes) { api in
            var requested = 0
            // `/v1/stream` never ends (Server-Sent Events); its reads name the tenant (`TicketEventLog`).
            for route in routes.routes where route.method == .get && route.path.hasPrefix("/v1/") && route.path != "/v1/stream" {
                // A route whose kind of id was not made is left out (fill throws).
                guard let path = try? CrossTenantMatrixTests.fill(route, with: { ids[$0] }) else { continue }
                let reply = try await api.get(path, key: key)
                XCTAssertLessThan(reply.status.code, 500, "\(route): \(reply.raw)")
                requested += 1
            }
            return requested
        }
    }
}
