/// Limits of the live stream (`GET /v1/stream`); `kefu serve` reads them from
/// `KEFU_STREAM_HEARTBEAT_SECONDS`, `KEFU_STREAM_MAX_PER_TENANT` and `KEFU_STREAM_MAX_PER_KEY`.
public struct StreamSettings: Sendable {
    /// Streams a tenant may hold open on one process: beyond it a new one is refused with 429,
    /// so that one tenant cannot take every stream a process can serve.
    public static let tenantLimitRange = 1...100_000
    /// Streams one API key may hold open on one process (several tabs of one console).
    public static let keyLimitRange = 1...1_000
    public static let heartbeatSecondsRange = 1...300

    /// How often an idle stream gets a comment line, and how often every tenant's streams
    /// re-read the event log in case a notification was lost.
    public var heartbeat: Duration
    public var maxPerTenant: Int
    public var maxPerKey: Int
    /// Events read at once for a tenant's streams.
    public var batchSize: Int
    /// Events (and heartbeats) waiting for one stream's client: a stream never holds more; one
    /// whose client takes nothing for a heartbeat interval while events wait is cut off.
    public var bufferLimit: Int

    public init(
        heartbeat: Duration = .seconds(15),
        maxPerTenant: Int = 1_000,
        maxPerKey: Int = 20,
        batchSize: Int = 200,
        bufferLimit: Int = 1_000
    ) {
        self.heartbeat = heartbeat
        self.maxPerTenant = maxPerTenant
        self.maxPerKey = maxPerKey
        self.batchSize = max(1, batchSize)
        self.bufferLimit = max(self.batchSize, bufferLimit)
    }
}
