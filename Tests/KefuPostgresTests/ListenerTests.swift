import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class ListenerTests: PostgresTestCase {
    func testNotificationsArriveAndSurviveAReconnect() async throws {
        var configuration = database.ownerConfiguration
        configuration.parameters["application_name"] = "kefu_listener_test"
        let listener = try PostgresListener(configuration, channels: ["kefu_test"])
        let ready = AsyncStream<Void>.makeStream()
        var events = listener.events(ready: { ready.continuation.yield() }).makeAsyncIterator()
        var readyIterator = ready.stream.makeAsyncIterator()
        await readyIterator.next()

        try await pool.notify("kefu_test", payload: "工单 1")
        let first = await events.next()
        guard case .notification(let notification)? = first else { return XCTFail("got \(String(describing: first))") }
        XCTAssertEqual(notification.channel, "kefu_test")
        XCTAssertEqual(notification.payload, "工单 1")

        try await pool.execute(
            """
            SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
            WHERE application_name = 'kefu_listener_test'
            """
        )
        let second = await events.next()
        XCTAssertEqual(second, .reconnected)

        try await pool.notify("kefu_test", payload: "after reconnect")
        let third = await events.next()
        guard case .notification(let again)? = third else { return XCTFail("got \(String(describing: third))") }
        XCTAssertEqual(again.payload, "after reconnect")
    }

    func testChannelNamesAreValidated() {
        XCTAssertThrowsError(try PostgresListener(database.ownerConfiguration, channels: ["bad\"; DROP"]))
        XCTAssertNoThrow(try PostgresListener(database.ownerConfiguration, channels: ["kefu_work_1"]))
    }
}
