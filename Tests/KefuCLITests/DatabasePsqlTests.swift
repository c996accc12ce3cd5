import Foundation
import KefuPostgres
import XCTest

@testable import KefuCLI

/// `kefu db psql` never puts the owner's password on psql's command line (any local user can
/// read a process's arguments); psql gets it through `PGPASSWORD`.
final class DatabasePsqlTests: XCTestCase {
    func testThePasswordGoesThroughTheEnvironmentNotTheCommandLine() throws {
        let owner = try PostgresConfiguration("postgres://kefu_owner:s3cret-pw@db.example:5432/kefu")
        let (argv, password) = DatabasePsqlCommand.invocation(psql: "/usr/bin/psql", owner: owner, arguments: ["-c", "SELECT 1"])
        XCTAssertEqual(password, "s3cret-pw")
        XCTAssertFalse(argv.joined(separator: " ").contains("s3cret-pw"), "\(argv)")
        XCTAssertEqual(argv.first, "/usr/bin/psql")
        XCTAssertEqual(argv.suffix(2), ["-c", "SELECT 1"])
        let url = try PostgresConfiguration(argv[1])
        XCTAssertEqual(url.user, "kefu_owner")
        XCTAssertNil(url.parameters["password"], "no masked placeholder psql would send as the password")
    }
}
