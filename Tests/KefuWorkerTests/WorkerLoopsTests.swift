import Foundation
import KefuCore
import KefuTestSupport
import Logging
import ServiceLifecycle
import XCTest

@testable import KefuWorker

/// The worker runs one `Service` per loop in one `ServiceGroup`: a failing round is logged and
/// the loop goes on, and a graceful shutdown (SIGTERM) stops every loop promptly, even in the
/// middle of a long interval.
final class WorkerLoopsTests: APITestCase {
    private let logger = Logger(label: "kefu.worker.test")

    func testAFailingRoundIsFollowedByTheNextOne() async throws {
        let rounds = RoundCounter()
        let job = RepeatingJob(name: "failing job", interval: .milliseconds(10), wake: WakeSignal(), logger: logger)
        let group = ServiceGroup(services: [JobService(job: job, rounds: rounds)], logger: logger)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while rounds.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertGreaterThanOrEqual(rounds.count, 3, "the job keeps running after its rounds fail")
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func testAWakeSignalEndsTheWaitBeforeItsTimeout() async {
        let wake = WakeSignal()
        let start = ContinuousClock.now
        wake.fire()
        await wake.wait(timeout: .seconds(60))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testEveryWorkerLoopStopsPromptlyOnGracefulShutdown() async throws {
        let loops = WorkerLoops.services(
            timers: worker.timers,
            surge: worker.surge,
            retention: worker.retention,
            deliveries: worker.deliveries,
            listenerConfiguration: database.workerConfiguration,
            interval: .seconds(3600),
            logger: logger
        )
        XCTAssertEqual(loops.count, 5, "listener, timer sweep, surge detector, intake counter retention, deliveries")
        let group = ServiceGroup(services: loops, logger: logger)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(500))
        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "no loop waits out its hour-long interval")
    }
}

/// Counts the rounds of a job that always fails.
private final class RoundCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}

private struct RoundFailed: Error {}

/// A `RepeatingJob` whose every round fails, as a service.
private struct JobService: Service {
    let job: RepeatingJob
    let rounds: RoundCounter

    func run() async throws {
        await job.run { [rounds] in
            rounds.increment()
            throw RoundFailed()
        }
    }
}
