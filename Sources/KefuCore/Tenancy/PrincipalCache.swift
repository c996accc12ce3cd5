import Foundation

/// Recently authenticated API keys, kept for a few seconds so that a client's stream of
/// requests costs one key lookup per `lifetime` instead of one per request.
///
/// What this process changes itself (a key revoked, an agent deactivated or given another role)
/// empties the cache at once; what another process changes (the `kefu` CLI suspending a tenant,
/// another API replica revoking a key) takes effect within `lifetime`. A lifetime of zero turns
/// the cache off. Only successful lookups are kept: unknown, revoked and suspended keys are
/// looked up every time.
public final class PrincipalCache: @unchecked Sendable {
    /// How long an entry is trusted.
    public let lifetime: Duration
    /// Entries beyond this many empty the cache (a bound on memory, not an LRU).
    public let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let lock = NSLock()
    private var entries: [Data: (principal: Principal, expires: ContinuousClock.Instant)] = [:]

    public init(lifetime: Duration, capacity: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.now = now
    }

    /// The principal of a key hash looked up less than `lifetime` ago.
    func principal(for keyHash: Data) -> Principal? {
        guard lifetime > .zero else { return nil }
        let instant = now()
        return lock.withLock {
            guard let entry = entries[keyHash] else { return nil }
            if entry.expires > instant { return entry.principal }
            entries[keyHash] = nil
            return nil
        }
    }

    func remember(_ principal: Principal, for keyHash: Data) {
        guard lifetime > .zero else { return }
        let expires = now() + lifetime
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[keyHash] = (principal, expires)
        }
    }

    /// Forgets every entry: after any change to keys, agents or tenants made by this process.
    public func removeAll() {
        lock.withLock { entries.removeAll() }
    }

    /// How many keys are remembered.
    public var count: Int { lock.withLock { entries.count } }
}
