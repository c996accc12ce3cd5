import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuPostgres
import KefuTestSupport
import Logging
import XCTest

@testable import KefuAPI

/// A database refusal caused by input is a 4xx naming the field where the server says which;
/// anything else stays a 500. The errors here are real server errors of each SQLSTATE class.
final class DatabaseErrorMappingTests: TicketTestCase {
    private func serverError(_ query: PostgresQuery) async throws -> PostgresError {
        do {
            _ = try await ownerPool.execute(query)
        } catch let error as PostgresError {
            return error
        }
        throw XCTSkip("the statement did not fail")
    }

    private func describe(_ error: PostgresError) -> (HTTPResponse.Status, ErrorBody) {
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "kefu", path: "/v1/probe"),
            body: .init(buffer: ByteBuffer())
        )
        return ErrorMiddleware<KefuRequestContext>.describe(error, request: request, logger: Logger(label: "test"))
    }

    func testEachSQLStateClassCausedByInputIs4xxWithTheField() async throws {
        _ = try await ownerPool.execute(
            """
            CREATE TABLE input_probe (id int PRIMARY KEY, ref int REFERENCES input_probe (id), n int CHECK (n > 0), note text NOT NULL)
            """
        )
        _ = try await ownerPool.execute("INSERT INTO input_probe (id, n, note) VALUES (1, 1, 'x')")
        _ = try await ownerPool.execute("INSERT INTO input_probe (id, ref, n, note) VALUES (2, 1, 1, 'x')")
        let cases: [(PostgresQuery, HTTPResponse.Status, String, String?)] = [
            ("INSERT INTO input_probe (id, n, note) VALUES (1, 1, 'x')", .conflict, "conflict", nil),
            ("INSERT INTO input_probe (id, ref, n, note) VALUES (3, 99, 1, 'x')", .unprocessableContent, "invalid_field", "ref"),
            ("DELETE FROM input_probe WHERE id = 1", .conflict, "conflict", nil),
            ("INSERT INTO input_probe (id, n, note) VALUES (4, 0, 'x')", .unprocessableContent, "invalid_field", "n"),
            ("INSERT INTO input_probe (id, n, note) VALUES (5, 1, NULL)", .unprocessableContent, "invalid_field", "note"),
            ("SELECT '0000-01-01 00:00:00+00'::timestamptz", .unprocessableContent, "invalid_field", "body"),
            ("SELECT 2147483648::int", .unprocessableContent, "invalid_field", "body"),
            ("SELECT convert_from('\\x00'::bytea, 'UTF8')", .unprocessableContent, "invalid_field", "body"),
        ]
        for (query, status, code, field) in cases {
            let error = try await serverError(query)
            let (answer, body) = describe(error)
            XCTAssertEqual(answer, status, "\(query.sql) → \(error.sqlState ?? "?")")
            XCTAssertEqual(body.error.code.rawValue, code, query.sql)
            XCTAssertEqual(body.error.field, field, query.sql)
        }
        let (bug, body) = describe(try await serverError("SELECT * FROM no_such_table"))
        XCTAssertEqual(bug, .internalServerError, "a statement the server cannot run is Kefu's fault")
        XCTAssertEqual(body.error.code, .internal)
    }

    /// End to end: a rule only the database knows (here a trigger) refuses a request's value.
    func testARefusalFromTheDatabaseReachesTheClientAs422() async throws {
        _ = try await ownerPool.execute(
            """
            CREATE FUNCTION refuse_secret_departments() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.description LIKE '%secret%' THEN
                    RAISE check_violation USING MESSAGE = 'no secrets', COLUMN = 'description';
                END IF;
                RETURN NEW;
            END $$
            """
        )
        _ = try await ownerPool.execute(
            """
            CREATE TRIGGER refuse_secret BEFORE INSERT ON departments FOR EACH ROW EXECUTE FUNCTION refuse_secret_departments()
            """
        )
        let reply = try await withAPI { [key] api in
            try await api.post("/v1/departments", key: key, json(["name": "Ops", "description": "top secret"]))
        }
        XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
        XCTAssertEqual(reply.errorField, "description")
    }
}
