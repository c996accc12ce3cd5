import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class ErrorAndTransactionTests: PostgresTestCase {
    override func setUp() async throws {
        try await super.setUp()
        try await pool.connectionPoolSetup()
    }

    func testConstraintViolationsKeepSQLStateAndConstraint() async throws {
        let parent = UUID()
        try await pool.execute("INSERT INTO parent (id, code) VALUES (\(parent), 'A')")
        do {
            try await pool.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'A')")
            XCTFail("expected a unique violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertEqual(error.constraint, "parent_code_key")
            XCTAssertEqual(error.table, "parent")
            XCTAssertNotNil(error.detail)
            XCTAssertFalse(error.description.contains("'A'"), "description must not leak values")
        }
        do {
            try await pool.execute("INSERT INTO child (id, parent_id) VALUES (\(UUID()), \(UUID()))")
            XCTFail("expected a foreign key violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isForeignKeyViolation)
            XCTAssertEqual(error.constraint, "child_parent_id_fkey")
        }
        do {
            try await pool.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), '')")
            XCTFail("expected a check violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isCheckViolation)
            XCTAssertEqual(error.constraint, "parent_code_check")
        }
        do {
            try await pool.execute("SELEKT 1")
            XCTFail("expected a syntax error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42601")
            XCTAssertEqual(error.kind, .server)
        }
    }

    struct Boom: Error {}

    func testTransactionCommitsOnReturnAndRollsBackOnThrow() async throws {
        _ = try await pool.transaction { tx in
            try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'kept')")
        }
        do {
            try await pool.transaction { tx in
                try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'lost')")
                throw Boom()
            }
            XCTFail("expected the error to propagate")
        } catch is Boom {}
        let codes = try await pool.query("SELECT code FROM parent ORDER BY code").map { try $0.decode(String.self, "code") }
        XCTAssertEqual(codes, ["kept"])
        // The connection went back to the pool clean and is reusable.
        let value1 = try await pool.queryScalar(Int.self, "SELECT 1")
        XCTAssertEqual(value1, 1)
    }

    func testSwallowedErrorInsideTransactionStillRollsBack() async throws {
        do {
            try await pool.transaction { tx in
                try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'first')")
                _ = try? await tx.execute("SELEKT")
            }
            XCTFail("a transaction whose statement failed must not report success")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .client)
        }
        let value2 = try await pool.queryScalar(Int.self, "SELECT count(*) FROM parent")
        XCTAssertEqual(value2, 0)
    }

    func testSerializationFailuresAreRetried() async throws {
        try await pool.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
        try await withThrowingTaskGroup(of: Void.self) { [pool = pool!] group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.transaction(isolation: .serializable, retries: 50) { tx in
                        let value = try await tx.queryScalar(Int.self, "SELECT value FROM counter WHERE id = 1") ?? 0
                        try await tx.execute("UPDATE counter SET value = \(value + 1) WHERE id = 1")
                    }
                }
            }
            try await group.waitForAll()
        }
        let value3 = try await pool.queryScalar(Int.self, "SELECT value FROM counter WHERE id = 1")
        XCTAssertEqual(value3, 8)
    }

    func testConnectionFailureMessageNeverContainsThePassword() async throws {
        let configuration = try PostgresConfiguration("postgres://kefu:s3cr3t-pw@127.0.0.1:1/nowhere?connect_timeout=2")
        do {
            _ = try await PostgresConnection.connect(configuration)
            XCTFail("expected a connection error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connection)
            XCTAssertTrue(error.isConnectionLost)
            XCTAssertFalse(error.message.contains("s3cr3t-pw"))
            XCTAssertFalse("\(error)".contains("s3cr3t-pw"))
        }
        XCTAssertFalse(configuration.description.contains("s3cr3t-pw"))
    }

    func testConfigurationParsesURLsAndConninfo() throws {
        let url = try PostgresConfiguration("postgres://app:pw@db.example:6543/kefu?sslmode=require")
        XCTAssertEqual(
            url.parameters,
            ["host": "db.example", "port": "6543", "user": "app", "password": "pw", "dbname": "kefu", "sslmode": "require"]
        )
        let socket = try PostgresConfiguration("postgresql:///kefu?host=/var/run/postgresql&user=postgres")
        XCTAssertEqual(socket.parameters["host"], "/var/run/postgresql")
        XCTAssertEqual(socket.database, "kefu")
        let conninfo = try PostgresConfiguration("host=/tmp port=5433 dbname='my db' user=x")
        XCTAssertEqual(conninfo.parameters["dbname"], "my db")
        XCTAssertThrowsError(try PostgresConfiguration("host"))
    }
}

extension ConnectionPool {
    /// Tables shared by the error and transaction tests.
    func connectionPoolSetup() async throws {
        try await withConnection { connection in
            try await connection.simpleQuery(
                """
                CREATE TABLE parent (id uuid PRIMARY KEY, code text NOT NULL UNIQUE CHECK (code <> ''));
                CREATE TABLE child (id uuid PRIMARY KEY, parent_id uuid NOT NULL REFERENCES parent (id));
                CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL);
                """
            )
        }
    }
}
