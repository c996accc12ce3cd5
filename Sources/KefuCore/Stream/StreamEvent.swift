import Foundation

/// One ticket event as the live stream sends it: its position (the event's SSE `id`), its
/// webhook-style type (`ticket.created`, `ticket.assigned`, `ticket.updated`) and the event as
/// `GET /v1/tickets/{id}/events` returns it, encoded once for every stream of the tenant.
public struct StreamEvent: Sendable, Equatable {
    public var position: StreamPosition
    public var type: String
    /// The event's JSON (one line).
    public var json: String
}

/// What a stream's consumer takes next.
public enum StreamItem: Sendable, Equatable {
    case event(StreamEvent)
    /// Nothing happened for a heartbeat interval: the consumer writes a comment line.
    case heartbeat
}

/// Why a stream ended from the server's side.
public enum StreamEnd: String, Sendable, Equatable {
    /// The process is shutting down; reconnect (to another replica) and resume.
    case shutdown
    /// The client took nothing for a heartbeat interval while events waited for it: cut off so
    /// that its backlog does not grow in memory; it resumes from its last event.
    case tooSlow = "too_slow"
}
