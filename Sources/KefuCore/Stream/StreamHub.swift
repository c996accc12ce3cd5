import Foundation
import KefuPostgres
import Logging

/// The live streams of one process: one LISTEN connection for all of them (`kefu_stream`
/// notifications, sent by `StreamAnnouncer` after a tenant's writes commit, name the tenant,
/// which wakes that tenant's `TenantFeed`), one
/// heartbeat timer, and the limits on how many streams a tenant and a key may hold. Both the
/// connection and the timer run only while a stream is open.
public actor StreamHub {
    /// The channel `StreamAnnouncer` notifies.
    public static let channel = StreamAnnouncer.channel

    public nonisolated let settings: StreamSettings
    let log: TicketEventLog
    let listenerConfiguration: PostgresConfiguration
    let logger: Logger
    private var feeds: [UUID: TenantFeed] = [:]
    private var perTenant: [UUID: Int] = [:]
    private var perKey: [UUID: Int] = [:]
    private var open = 0
    private var nextID = 0
    private var listener: Task<Void, Never>?
    private var listening = false
    private var listeningWaiters: [CheckedContinuation<Void, Never>] = []
    private var heartbeat: Task<Void, Never>?

    public init(database: TenantDatabase, settings: StreamSettings, logger: Logger = Logger(label: "kefu.stream")) {
        self.log = TicketEventLog(database: database)
        self.listenerConfiguration = database.pool.database
        self.settings = settings
        self.logger = logger
    }

    /// Streams open on this process.
    public var openStreams: Int { open }

    /// Opens a stream of `tenantID`'s ticket events for API key `keyID`, after `position` (a
    /// client resuming) or from now. Throws `tooManyRequests` beyond the tenant's or the key's
    /// limit, and `invalidField(positionField)` for a position this stream cannot have issued.
    public func subscribe(
        tenantID: UUID,
        keyID: UUID,
        after position: StreamPosition?,
        positionField: String = "Last-Event-ID"
    ) async throws -> StreamSubscription {
        if perTenant[tenantID, default: 0] >= settings.maxPerTenant {
            throw KefuError.tooManyRequests("this tenant already has \(settings.maxPerTenant) live streams open on this server")
        }
        if perKey[keyID, default: 0] >= settings.maxPerKey {
            throw KefuError.tooManyRequests("this API key already has \(settings.maxPerKey) live streams open on this server")
        }
        perTenant[tenantID, default: 0] += 1
        perKey[keyID, default: 0] += 1
        open += 1
        nextID += 1
        let id = nextID
        let horizon: UInt64
        do {
            startListening()
            horizon = try await log.horizon()
            if let position, position.xid >= horizon {
                throw KefuError.invalidField(positionField, "is not the id of an event this stream sent")
            }
            await listeningStarted()
        } catch {
            release(tenantID: tenantID, keyID: keyID)
            throw error
        }
        let feed = feeds[tenantID] ?? TenantFeed(tenantID: tenantID, log: log, settings: settings, logger: logger)
        feeds[tenantID] = feed
        startHeartbeat()
        // Positions are issued below the horizon: starting at it sends what commits from now on.
        await feed.add(id, after: position ?? .before(horizon: horizon))
        return StreamSubscription(id: id, tenantID: tenantID, keyID: keyID, feed: feed, hub: self)
    }

    /// Called once per subscription when it closes.
    func remove(_ id: Int, tenantID: UUID, keyID: UUID) async {
        let feed = feeds[tenantID]
        release(tenantID: tenantID, keyID: keyID)
        await feed?.remove(id)
    }

    private func release(tenantID: UUID, keyID: UUID) {
        perTenant[tenantID, default: 1] -= 1
        if perTenant[tenantID] == 0 {
            perTenant[tenantID] = nil
            feeds[tenantID] = nil
        }
        perKey[keyID, default: 1] -= 1
        if perKey[keyID] == 0 { perKey[keyID] = nil }
        open -= 1
        if open == 0 {
            listener?.cancel()
            listener = nil
            listening = false
            heartbeat?.cancel()
            heartbeat = nil
        }
    }

    private func startListening() {
        guard listener == nil else { return }
        let configuration = listenerConfiguration
        let logger = logger
        let ready: @Sendable () -> Void = { [weak self] in Task { await self?.markListening() } }
        listener = Task { [weak self] in
            let notifications: PostgresListener
            do {
                notifications = try PostgresListener(configuration, channels: [Self.channel], logger: logger)
            } catch {
                logger.error("live streams cannot listen; relying on the heartbeat re-read", metadata: ["error": "\(error)"])
                await self?.markListening()
                return
            }
            // Give up waiting after 2 s (the database may be down): the heartbeat re-read covers.
            Task {
                try? await Task.sleep(for: .seconds(2))
                ready()
            }
            for await event in notifications.events(ready: ready) {
                switch event {
                case .notification(let notification): await self?.route(notification.payload)
                case .reconnected: await self?.wakeAll()
                }
            }
        }
    }

    private func markListening() {
        listening = true
        let waiters = listeningWaiters
        listeningWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once LISTEN is in place, so that nothing committed after the first read goes unannounced.
    private func listeningStarted() async {
        guard !listening else { return }
        await withCheckedContinuation { listeningWaiters.append($0) }
    }

    private func startHeartbeat() {
        guard heartbeat == nil else { return }
        let interval = settings.heartbeat
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.tick()
            }
        }
    }

    private func tick() async {
        for feed in feeds.values { await feed.tick() }
    }

    private func wakeAll() async {
        for feed in feeds.values { await feed.wake() }
    }

    /// A notification's payload: the tenant id.
    private func route(_ payload: String) async {
        guard let tenantID = UUID(uuidString: payload), let feed = feeds[tenantID] else { return }
        await feed.wake()
    }
}
