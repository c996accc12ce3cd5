import Foundation

/// The source of "now" for rules that depend on time (SLA clocks, timers, surge windows).
/// Services take one so tests can run at exact instants.
public protocol KefuClock: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: KefuClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to (tests, rehearsals).
public final class ManualClock: KefuClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func set(_ date: Date) { lock.withLock { current = date } }

    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
