import Foundation
import KefuCore
import KefuRuntime
import XCTest

/// The email variables, read and validated at start-up: each error names its variable.
final class EmailConfigurationTests: XCTestCase {
    private func email(_ variables: [String: String]) throws -> EmailConfiguration {
        try KefuEnvironment.fromProcess(variables).email
    }

    private func assertRefused(_ variables: [String: String], naming variable: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try email(variables), file: file, line: line) { error in
            XCTAssertEqual((error as? ConfigurationError)?.variable, variable, "\(error)", file: file, line: line)
        }
    }

    func testNothingSetMeansNoRelayNoKeyNoLink() throws {
        let none = try email([:])
        XCTAssertNil(none.relay)
        XCTAssertNil(none.secrets)
        XCTAssertNil(none.publicURL)
        XCTAssertEqual(none.senderAddresses, [])
    }

    func testTheDeploymentsRelayKeyAndPublicURL() throws {
        let read = try email([
            "KEFU_SMTP_URL": "smtps://kefu:p%40ss@smtp.exmail.qq.com", "KEFU_SMTP_FROM": "service@example.cn",
            "KEFU_SECRET_KEY": String(repeating: "x", count: 40), "KEFU_PUBLIC_URL": "https://help.example.cn/",
        ])
        XCTAssertEqual(
            read.relay,
            MailRelay(
                host: "smtp.exmail.qq.com",
                port: 465,
                security: .implicit,
                username: "kefu",
                password: "p@ss",
                fromAddress: "service@example.cn"
            )
        )
        XCTAssertNotNil(read.secrets)
        XCTAssertEqual(read.publicURL, "https://help.example.cn")
        // `kefu serve` treats inbound mail from this address as a loop (`mailSenders`).
        XCTAssertEqual(read.senderAddresses, ["service@example.cn"])
    }

    func testBadValuesAreRefusedNamingTheVariable() {
        assertRefused(["KEFU_SMTP_URL": "smtp://mail.example.cn"], naming: "KEFU_SMTP_FROM")
        assertRefused(["KEFU_SMTP_URL": "http://mail.example.cn", "KEFU_SMTP_FROM": "a@example.cn"], naming: "KEFU_SMTP_URL")
        assertRefused(["KEFU_SMTP_URL": "smtp://mail.example.cn", "KEFU_SMTP_FROM": "not an address"], naming: "KEFU_SMTP_FROM")
        assertRefused(["KEFU_SECRET_KEY": "short"], naming: "KEFU_SECRET_KEY")
        assertRefused(["KEFU_PUBLIC_URL": "ftp://x"], naming: "KEFU_PUBLIC_URL")
        assertRefused(["KEFU_SMTP_CA_FILE": "/nonexistent/ca.pem"], naming: "KEFU_SMTP_CA_FILE")
    }
}
