import Foundation
import KefuPostgres

/// Reads a tenant's ticket events in stream order (sql/038): the source of truth every live
/// stream re-reads from its position, whatever notifications it did or did not get.
public struct TicketEventLog: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// What one read found: events in stream order, and where the reader continues.
    public struct Batch: Sendable {
        public var events: [StreamEvent]
        /// The reading snapshot's xmin horizon: every event of a transaction below it was visible.
        public var horizon: UInt64
        /// Whether the read stopped at its limit (more events may follow at once).
        public var full: Bool
        /// Whether committed events of the tenant lie at or above the horizon: an older
        /// transaction still runs and holds them back, so the reader should read again soon.
        public var heldBack: Bool
        /// Where the next read starts: after the last event when the read was cut at its limit,
        /// otherwise before the horizon (everything below it has been read).
        public var next: StreamPosition
    }

    /// The horizon now: a stream starting without a position begins there, and a position a
    /// client sends must lie below it (positions are only ever issued below the horizon).
    public func horizon() async throws -> UInt64 {
        let text = try await database.pool.queryScalar(String.self, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
        guard let text, let horizon = UInt64(text) else { throw PostgresError(kind: .decoding, message: "the snapshot has no xmin horizon") }
        return horizon
    }

    /// Up to `limit` events after `position` whose transactions lie below the snapshot's horizon,
    /// in (xid, seq) order, and whether committed events wait above it. The horizon, the rows and
    /// that check come from one statement, so one snapshot.
    public func read(_ tenantID: UUID, after position: StreamPosition, limit: Int) async throws -> Batch {
        let result = try await database.read(
            tenantID,
            """
            WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
            SELECT h.horizon::text AS horizon,
                EXISTS (SELECT 1 FROM ticket_events WHERE tenant_id = \(tenantID) AND xid >= h.horizon) AS held_back,
                e.*
            FROM h LEFT JOIN LATERAL (
                SELECT \(TicketEvent.columns), xid::text AS xid, kefu_ticket_event_type(kind) AS type
                FROM ticket_events
                WHERE tenant_id = \(tenantID) AND (xid, seq) > (\(String(position.xid))::xid8, \(position.seq)) AND xid < h.horizon
                ORDER BY xid, seq LIMIT \(limit)
            ) e ON true
            """,
            planning: .generic
        )
        guard let first = result.rows.first, let horizon = UInt64(try first.decode(String.self, "horizon")) else {
            throw PostgresError(kind: .decoding, message: "the snapshot has no xmin horizon")
        }
        let heldBack = try first.decode(Bool.self, "held_back")
        let encoder = KefuJSON.encoder()
        var events: [StreamEvent] = []
        for row in result.rows where !row.isNull("id") {
            guard let xid = UInt64(try row.decode(String.self, "xid")) else {
                throw PostgresError(kind: .decoding, message: "ticket_events.xid is not a transaction id")
            }
            let event = try TicketEvent(row: row)
            events.append(
                StreamEvent(
                    position: StreamPosition(xid: xid, seq: Int64(event.seq)),
                    type: try row.decode(String.self, "type"),
                    json: String(decoding: try encoder.encode(event), as: UTF8.self)
                )
            )
        }
        let full = events.count >= limit
        let next = full ? events[events.count - 1].position : StreamPosition.before(horizon: horizon)
        return Batch(events: events, horizon: horizon, full: full, heldBack: heldBack, next: max(next, position))
    }
}
