import Foundation

/// One open live stream, for the code that writes it to its client: take items until nil, then
/// `close()`. Dropping it without closing closes it too.
public final class StreamSubscription: @unchecked Sendable {
    let id: Int
    public let tenantID: UUID
    public let keyID: UUID
    let feed: TenantFeed
    let hub: StreamHub
    private let lock = NSLock()
    private var closed = false

    init(id: Int, tenantID: UUID, keyID: UUID, feed: TenantFeed, hub: StreamHub) {
        self.id = id
        self.tenantID = tenantID
        self.keyID = keyID
        self.feed = feed
        self.hub = hub
    }

    /// What to send next (events in stream order, or a heartbeat); nil once the stream has
    /// ended (`endReason`) or the calling task was cancelled.
    public func next() async -> [StreamItem]? { await feed.take(id) }

    /// Ends the stream from the server's side: the client gets what already waits, then nil.
    public func end(_ reason: StreamEnd) async { await feed.end(id, reason) }

    /// Why the server ended the stream, if it did.
    public func endReason() async -> StreamEnd? { await feed.endReason(id) }

    /// Frees the stream's place (its tenant's and key's limits) and state.
    public func close() async {
        guard markClosed() else { return }
        await hub.remove(id, tenantID: tenantID, keyID: keyID)
    }

    private func markClosed() -> Bool {
        lock.withLock {
            defer { closed = true }
            return !closed
        }
    }

    deinit {
        guard markClosed() else { return }
        let (hub, id, tenantID, keyID) = (hub, id, tenantID, keyID)
        Task { await hub.remove(id, tenantID: tenantID, keyID: keyID) }
    }
}
