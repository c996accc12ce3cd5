import Foundation

/// When a failed delivery is tried again: `firstDelay` after the first failure, twice as long
/// after each further one, at most `maxDelay`, each delay scaled by a random factor in
/// 0.8–1.2 (jitter, so a receiver back up is not hit by every waiting delivery at once). After
/// `maxAttempts` attempts the delivery is dead. The defaults: 10 s … 6 h, 15 attempts, about
/// 23 h from the first attempt to the last.
public struct DeliveryRetryPolicy: Sendable {
    public var maxAttempts: Int
    public var firstDelay: TimeInterval
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 15, firstDelay: TimeInterval = 10, maxDelay: TimeInterval = 6 * 3600) {
        self.maxAttempts = maxAttempts
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// The delay before the attempt after failed attempt number `attempt` (1-based), without jitter.
    public func baseDelay(afterAttempt attempt: Int) -> TimeInterval {
        min(maxDelay, firstDelay * pow(2, Double(min(max(attempt, 1), 40) - 1)))
    }

    /// The next attempt's instant after failed attempt `attempt` at `now`, nil when it was the last.
    public func nextAttempt(afterAttempt attempt: Int, at now: Date, jitter: Double = Double.random(in: 0.8...1.2)) -> Date? {
        guard attempt < maxAttempts else { return nil }
        return now.addingTimeInterval(baseDelay(afterAttempt: attempt) * jitter)
    }
}
