import Foundation
import Logging

/// The open streams of one tenant on this process. A wake-up (a notification, a heartbeat, a new
/// stream) starts one drain: the streams are grouped by position, each group is read once from
/// the event log, and every stream of the group gets the batch; streams of one tenant that wake
/// together therefore share one read. A drain asked for while one runs is run once more after it.
actor TenantFeed {
    /// One stream's state: where its reading has got to, what waits for its client, and the
    /// client's task when it waits for more.
    struct Member {
        var position: StreamPosition
        var pending: [StreamItem] = []
        var waiter: CheckedContinuation<[StreamItem]?, Never>?
        var lastTake: ContinuousClock.Instant
        var ended: StreamEnd?
    }

    let tenantID: UUID
    let log: TicketEventLog
    let settings: StreamSettings
    let logger: Logger
    private var members: [Int: Member] = [:]
    private var draining = false
    private var drainAgain = false
    /// While a read finds committed events held back above the horizon (an older transaction
    /// still runs), the feed reads again shortly instead of waiting for the next notification or
    /// heartbeat: the transaction that ends and releases them may be another tenant's (or none's)
    /// and announce nothing here.
    private var retry: Task<Void, Never>?
    private var retryDelay = Duration.milliseconds(20)

    init(tenantID: UUID, log: TicketEventLog, settings: StreamSettings, logger: Logger) {
        self.tenantID = tenantID
        self.log = log
        self.settings = settings
        self.logger = logger
    }

    /// Most items a stream may be given by one read and still stay within its buffer.
    private var room: Int { settings.bufferLimit - settings.batchSize }

    func add(_ id: Int, after position: StreamPosition) {
        members[id] = Member(position: position, lastTake: .now)
        wake()
    }

    func remove(_ id: Int) {
        members.removeValue(forKey: id)?.waiter?.resume(returning: nil)
        if members.isEmpty { retry?.cancel() }
    }

    /// Reads the log for every stream.
    func wake() {
        guard !draining else {
            drainAgain = true
            return
        }
        draining = true
        Task { await drain() }
    }

    /// What waits for stream `id`, or nil once it has ended (or was removed) and nothing waits.
    func take(_ id: Int) async -> [StreamItem]? {
        guard var member = members[id], !Task.isCancelled else { return nil }
        if member.pending.isEmpty {
            if member.ended != nil { return nil }
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in members[id]?.waiter = continuation }
            } onCancel: {
                Task { await self.release(id) }
            }
        }
        let lagging = member.pending.count > room
        let items = member.pending
        member.pending = []
        member.lastTake = .now
        members[id] = member
        if lagging { wake() }
        return items
    }

    /// Ends stream `id`: its client gets what already waits for it, then the end.
    func end(_ id: Int, _ reason: StreamEnd) {
        guard members[id] != nil, members[id]?.ended == nil else { return }
        members[id]?.ended = reason
        release(id)
    }

    func endReason(_ id: Int) -> StreamEnd? { members[id]?.ended }

    /// The heartbeat: idle streams get a heartbeat; a stream whose client has taken nothing for
    /// a whole interval while items waited is cut off; then every stream re-reads the log.
    func tick() {
        let now = ContinuousClock.now
        for (id, member) in members where member.ended == nil {
            if member.pending.isEmpty {
                give([.heartbeat], to: id)
            } else if member.lastTake.duration(to: now) >= settings.heartbeat {
                logger.notice("live stream cut off: its client is too slow", metadata: ["tenant.id": "\(tenantID)"])
                end(id, .tooSlow)
            }
        }
        wake()
    }

    private func release(_ id: Int) {
        let waiter = members[id]?.waiter
        members[id]?.waiter = nil
        waiter?.resume(returning: nil)
    }

    private func give(_ items: [StreamItem], to id: Int) {
        guard var member = members[id] else { return }
        member.pending += items
        if let waiter = member.waiter {
            member.waiter = nil
            member.lastTake = .now
            waiter.resume(returning: member.pending)
            member.pending = []
        }
        members[id] = member
    }

    private func drain() async {
        repeat {
            drainAgain = false
            await readForEveryStream()
        } while drainAgain
        draining = false
    }

    private func readForEveryStream() async {
        var groups: [StreamPosition: [Int]] = [:]
        for (id, member) in members where member.ended == nil && member.pending.count <= room {
            groups[member.position, default: []].append(id)
        }
        var heldBack = false
        for (start, ids) in groups {
            var position = start
            var readers = ids
            while !readers.isEmpty {
                let batch: TicketEventLog.Batch
                do {
                    batch = try await log.read(tenantID, after: position, limit: settings.batchSize)
                } catch {
                    // The next heartbeat reads again.
                    logger.warning("live stream could not read the event log", metadata: ["error": "\(error)"])
                    return
                }
                heldBack = heldBack || batch.heldBack
                let items = batch.events.map(StreamItem.event)
                // Streams added, removed or moved on while reading are left to the next drain.
                readers = readers.filter { id in
                    guard let member = members[id], member.position == position, member.ended == nil else { return false }
                    members[id]?.position = batch.next
                    if !items.isEmpty { give(items, to: id) }
                    return batch.full && (members[id]?.pending.count ?? 0) <= room
                }
                position = batch.next
                if !batch.full { break }
            }
        }
        if !groups.isEmpty { scheduleRetry(heldBack: heldBack) }
    }

    /// Reads again soon (20 ms, doubling to 1 s) while committed events wait above the horizon.
    private func scheduleRetry(heldBack: Bool) {
        guard heldBack else {
            retryDelay = .milliseconds(20)
            return
        }
        guard retry == nil else { return }
        let delay = retryDelay
        retryDelay = min(retryDelay * 2, .seconds(1))
        retry = Task {
            try? await Task.sleep(for: delay)
            self.retryFired()
        }
    }

    private func retryFired() {
        retry = nil
        if !members.isEmpty { wake() }
    }
}
