import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class ConnectionPoolTests: PostgresTestCase {
    func testTwoHundredConcurrentTasksOnFourConnections() async throws {
        try await pool.execute("CREATE TABLE hits (n int PRIMARY KEY)")
        let results = try await withThrowingTaskGroup(of: Int.self) { [pool = pool!] group in
            for n in 0..<200 {
                group.addTask {
                    try await pool.execute("INSERT INTO hits (n) VALUES (\(Int32(n)))")
                    return try await pool.queryScalar(Int.self, "SELECT \(n) * 2") ?? -1
                }
            }
            var sums: [Int] = []
            for try await value in group { sums.append(value) }
            return sums
        }
        XCTAssertEqual(results.sorted(), (0..<200).map { $0 * 2 })
        let value1 = try await pool.queryScalar(Int.self, "SELECT count(*) FROM hits")
        XCTAssertEqual(value1, 200)
        let stats = pool.statistics
        XCTAssertLessThanOrEqual(stats.open, 4)
        XCTAssertEqual(stats.waiting, 0)
    }

    func testAcquireTimesOutWhenEveryConnectionIsBusy() async throws {
        let small = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 1, acquireTimeout: .milliseconds(200)))
        let held = try await small.acquire()
        let started = ContinuousClock.now
        do {
            _ = try await small.acquire()
            XCTFail("expected an acquire timeout")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .acquireTimeout)
        }
        XCTAssertLessThan(started.duration(to: .now), .seconds(5))
        small.release(held)
        let value2 = try await small.queryScalar(Int.self, "SELECT 1")
        XCTAssertEqual(value2, 1)
        await small.shutdown()
    }

    func testKilledBackendIsReplaced() async throws {
        let single = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 1))
        let pid = try require(try await single.queryScalar(Int.self, "SELECT pg_backend_pid()"))
        let killed = try await pool.queryScalar(Bool.self, "SELECT pg_terminate_backend(\(pid)::int, 5000)")
        XCTAssertEqual(killed, true)
        let newPID = try await single.queryScalar(Int.self, "SELECT pg_backend_pid()")
        XCTAssertNotNil(newPID)
        XCTAssertNotEqual(newPID, pid)
        await single.shutdown()
    }

    func testAKilledIdleConnectionIsReplacedForReadsAndTransactionsWithoutAnError() async throws {
        let single = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 1))
        func pid() async throws -> Int {
            try await single.withConnection { connection in
                try await connection.transaction(readOnly: true) { tx in
                    try await tx.pipelineAndCommit(["SELECT pg_backend_pid()"])[0].rows[0].decode(Int.self, at: 0)
                }
            }
        }
        let first = try await pid()
        let killed = try await pool.queryScalar(Bool.self, "SELECT pg_terminate_backend(\(first)::int, 5000)")
        XCTAssertEqual(killed, true)
        let second = try await pid()
        XCTAssertNotEqual(second, first, "the read ran on a new connection")
        _ = try await pool.queryScalar(Bool.self, "SELECT pg_terminate_backend(\(second)::int, 5000)")
        var runs = 0
        let third = try await single.transaction { tx in
            runs += 1
            return try await tx.queryScalar(Int.self, "SELECT pg_backend_pid()")
        }
        XCTAssertNotEqual(third, second)
        XCTAssertEqual(runs, 2, "the body ran again on the new connection; nothing had been sent on the dead one")
        XCTAssertEqual(single.statistics.open, 1)
        await single.shutdown()
    }

    func testShutdownRefusesNewWork() async throws {
        let other = ConnectionPool(database.ownerConfiguration)
        let value3 = try await other.queryScalar(Int.self, "SELECT 1")
        XCTAssertEqual(value3, 1)
        await other.shutdown()
        do {
            _ = try await other.query("SELECT 1")
            XCTFail("expected shutdown error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .shutdown)
        }
    }

    func testCopyInLoadsRows() async throws {
        try await pool.execute("CREATE TABLE bulk (n int, label text)")
        let copied = try await pool.withConnection { connection in
            try await connection.copyIn("COPY bulk (n, label) FROM STDIN", lines: (1...5000).map { "\($0)\trow \($0)" })
        }
        XCTAssertEqual(copied, 5000)
        let value4 = try await pool.queryScalar(Int.self, "SELECT sum(n) FROM bulk")
        XCTAssertEqual(value4, 5000 * 5001 / 2)
    }

    func testCopyOutStreamsEveryRowAndKeepsTheConnectionUsable() async throws {
        try await pool.execute("CREATE TABLE outbound (n int, label text)")
        try await pool.execute("INSERT INTO outbound SELECT g, CASE WHEN g = 2 THEN 'a, \"b\"' ELSE 'row ' || g END FROM generate_series(1, 3000) g")
        let received = Chunks()
        let copied = try await pool.transaction { tx in
            try await tx.copyOut("COPY outbound TO STDOUT WITH (FORMAT csv, HEADER)") { chunk in received.append(chunk) }
        }
        XCTAssertEqual(copied, 3000)
        let lines = received.text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 3002, "header, 3000 rows, and the final newline")
        XCTAssertEqual(Array(lines.prefix(4)), ["n,label", "1,row 1", #"2,"a, ""b""""#, "3,row 3"])
        XCTAssertEqual(lines[3000], "3000,row 3000")

        try await pool.withConnection { connection in
            do {
                _ = try await connection.copyOut("COPY missing TO STDOUT") { _ in }
                XCTFail("copied from a missing table")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "42P01")
            }
            struct Full: Error {}
            do {
                _ = try await connection.copyOut("COPY outbound TO STDOUT") { _ in throw Full() }
                XCTFail("the writer's error was lost")
            } catch is Full {}
            let after = try await connection.run("SELECT count(*) AS n FROM outbound")
            XCTAssertEqual(try after.rows.first?.decode(Int.self, "n"), 3000, "the connection is usable after both failures")
        }
    }
}

/// Collects COPY output chunks (written on the connection's thread).
private final class Chunks: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: UnsafeRawBufferPointer) { lock.withLock { data.append(contentsOf: chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
