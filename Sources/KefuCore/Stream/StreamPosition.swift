/// Where an event stands in a tenant's live stream, and the cursor a client resumes from
/// (`Last-Event-ID`): the id of the transaction that wrote the event, then its `seq`.
///
/// Events are sent in this order and only once every transaction below the reading snapshot's
/// xmin horizon has ended (sql/038), so no event can later appear before one already sent:
/// resuming "after this position" never skips an event that committed late.
public struct StreamPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The writing transaction (`ticket_events.xid`; 0 for events older than the stream).
    public var xid: UInt64
    /// The event's `seq` within that transaction's events (0: before all of them).
    public var seq: Int64

    public init(xid: UInt64, seq: Int64) {
        self.xid = xid
        self.seq = seq
    }

    /// Before every event of transactions from `horizon` on: where a stream that has sent
    /// everything below a snapshot's horizon continues.
    public static func before(horizon: UInt64) -> StreamPosition { StreamPosition(xid: horizon, seq: 0) }

    /// Reads the text form, `<xid>-<seq>` (two decimal numbers), as clients send it back.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 20 && $0.allSatisfy(\.isASCII) }),
            let xid = UInt64(parts[0]), let seq = Int64(parts[1]), seq >= 0
        else { return nil }
        self.init(xid: xid, seq: seq)
    }

    public var description: String { "\(xid)-\(seq)" }

    public static func < (lhs: StreamPosition, rhs: StreamPosition) -> Bool {
        (lhs.xid, lhs.seq) < (rhs.xid, rhs.seq)
    }
}
