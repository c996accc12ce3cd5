import Foundation
import Logging
import XCTest

@testable import KefuCore

/// The template registry, the compiler's checks, times in the language's own format at exact
/// instants, and the fallback (with a warning) when a tenant's text cannot be used.
final class CustomerTemplateTests: XCTestCase {
    func testEveryBuiltInTextCompilesInBothLanguages() throws {
        for template in CustomerTemplate.allCases {
            for locale in TextLocale.allCases {
                XCTAssertNoThrow(try TemplateCompiler.compile(template.builtIn(locale), for: template), "\(template) \(locale)")
            }
        }
    }

    func testTheMergeNoticeNamesTheTargetInChineseByDefaultAndInEnglish() {
        let variables: [String: String?] = ["ticket_reference": "T-000007", "target_reference": "T-000003"]
        XCTAssertEqual(
            CustomerTexts(locale: .zhCN, timezone: "UTC").render(.mergeNotice, variables),
            "您的问题已合并至工单T-000003，我们将在该工单中继续为您处理。"
        )
        XCTAssertEqual(
            CustomerTexts(locale: .en, timezone: "UTC").render(.mergeNotice, variables),
            "Your request has been merged into T-000003; we will continue to help you there."
        )
    }

    func testTimesAreWrittenInTheZoneInTheLanguagesOwnFormat() {
        // 2026-12-07 01:00 UTC.
        let instant = Date(timeIntervalSince1970: 1_796_605_200)
        XCTAssertEqual(LocalTimeText.format(instant, timezone: "Asia/Shanghai", locale: .zhCN), "12月7日 09:00")
        XCTAssertEqual(LocalTimeText.format(instant, timezone: "Asia/Shanghai", locale: .en), "7 Dec 09:00")
        XCTAssertEqual(LocalTimeText.format(instant, timezone: "America/New_York", locale: .en), "6 Dec 20:00", "the day before there")
        XCTAssertEqual(LocalTimeText.format(instant, timezone: "UTC", locale: .zhCN), "12月7日 01:00")
        // 2027-01-01 00:05 in Shanghai is 2026-12-31 16:05 UTC.
        let newYear = Date(timeIntervalSince1970: 1_798_733_100)
        XCTAssertEqual(LocalTimeText.format(newYear, timezone: "Asia/Shanghai", locale: .zhCN), "1月1日 00:05")
        XCTAssertEqual(LocalTimeText.format(newYear, timezone: "Europe/London", locale: .en), "31 Dec 16:05")
    }

    func testTheCompilerRefusesWhatCannotBeRendered() {
        let refusals: [(String, String)] = [
            ("{{#articles}}unclosed", "does not parse"),
            ("{{agent_name}}", "unknown variable 'agent_name'"),
            ("{{> partial}}", "only variables and sections"),
            ("{{% CONTENT_TYPE: HTML}}", "only variables and sections"),
            (String(repeating: "x", count: 2_001), "at most 2000"),
        ]
        for (text, reason) in refusals {
            XCTAssertThrowsError(try TemplateCompiler.compile(text, for: .outOfHours), text) {
                XCTAssertTrue(($0 as? TemplateCompiler.Refusal)?.reason.contains(reason) == true, "\($0)")
            }
        }
        XCTAssertNoThrow(try TemplateCompiler.compile("{{{articles}}} {{& opening_time}} {{! note }}{{^articles}}-{{/articles}}", for: .outOfHours))
    }

    func testVariablesAreWrittenAsPlainTextAndAbsentOnesSkipTheirSections() {
        let texts = CustomerTexts(
            locale: .en,
            timezone: "UTC",
            overrides: [.escalationNotice: "{{department_name}}{{^expected_time}}: soon{{/expected_time}}"]
        )
        XCTAssertEqual(texts.render(.escalationNotice, ["department_name": "R&D <Lab>", "expected_time": nil]), "R&D <Lab>: soon")
        XCTAssertEqual(
            CustomerTexts(locale: .zhCN, timezone: "UTC").render(.outOfHours, ["opening_time": nil, "articles": "重置密码; 修改地址"]),
            "感谢您的联系。我们已收到您的问题，将尽快回复。您可以先参考以下文章：重置密码; 修改地址。"
        )
    }

    func testAnOverrideThatCannotRenderFallsBackToTheBuiltInTextAndWarns() {
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(log: log) }
        let texts = CustomerTexts(locale: .zhCN, timezone: "UTC", overrides: [.transferNotice: "{{#agent_name}}"], logger: logger)
        XCTAssertEqual(texts.render(.transferNotice, ["agent_name": "Carol"]), "您的问题已转交给同事Carol，将继续为您处理。")
        XCTAssertEqual(log.entries.count, 1)
        XCTAssertEqual(log.entries.first?.level, .warning)
        XCTAssertEqual(log.entries.first?.metadata["template"], "transfer_notice")
        XCTAssertEqual(log.entries.first?.metadata["locale"], "zh-CN")
    }
}

/// Log entries kept for assertions.
private final class CapturedLog: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }
    private let lock = NSLock()
    private var stored: [Entry] = []
    var entries: [Entry] { lock.withLock { stored } }
    func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }
}

private struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let values = (event.metadata ?? [:]).mapValues { "\($0)" }
        log.append(CapturedLog.Entry(level: event.level, message: "\(event.message)", metadata: values))
    }
}
