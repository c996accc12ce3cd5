import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class EmbeddedPostgresTests: XCTestCase {
    func testLocatesInstalledServerBinaries() throws {
        let bin = try EmbeddedPostgres.locateBinaries()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path))
    }

    func testStartsStopsAndReusesAPrivateCluster() async throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kefu-embedded-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        defer { try? FileManager.default.removeItem(at: root) }
        let embedded = try EmbeddedPostgres(.init(dataDirectory: root.appendingPathComponent("data"), port: 55432, unsafeFastMode: true))
        XCTAssertTrue(try embedded.start(), "first start starts the server")
        XCTAssertFalse(try embedded.start(), "a running cluster is reused")
        let connection = try await PostgresConnection.connect(embedded.configuration(database: "postgres"))
        let value1 = try await connection.queryScalar(String.self, "SHOW listen_addresses")
        XCTAssertEqual(value1, "")
        let value2 = try await connection.queryScalar(String.self, "SHOW server_encoding")
        XCTAssertEqual(value2, "UTF8")
        // The cluster trusts local connections: its socket directory is private to its user.
        let socketDirectory = try XCTUnwrap(embedded.configuration().parameters["host"])
        let permissions = try FileManager.default.attributesOfItem(atPath: socketDirectory)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o700, socketDirectory)
        await connection.close()
        try embedded.stop()
        XCTAssertFalse(embedded.isRunning())
    }
}
