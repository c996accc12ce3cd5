import HTTPTypes
import Hummingbird
import KefuCore
import NIOCore
import ServiceLifecycle

/// Writes a live stream as Server-Sent Events: each ticket event as `id: <position>`,
/// `event: <type>`, `data: <the event's JSON>`; a `: heartbeat` comment when idle; and, when the
/// server ends the stream, `event: close` with `{"reason": "shutdown" | "too_slow"}` (no id, so the
/// client resumes after the last event it got).
enum ServerSentEvents {
    static let headers: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8",
        .cacheControl: "no-cache",
        // Proxies such as nginx must pass each event on at once.
        HTTPField.Name("X-Accel-Buffering")!: "no",
    ]

    /// How long a browser waits before reconnecting (the SSE `retry` field), in milliseconds.
    static let reconnectMilliseconds = 3000

    /// Sends the stream until the server ends it (graceful shutdown, a too-slow client) or the
    /// client goes away, then frees its place.
    static func send(_ subscription: StreamSubscription, to writer: inout any ResponseBodyWriter) async throws {
        do {
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: \(reconnectMilliseconds)\n: connected\n\n"))
                while let items = await subscription.next() {
                    try await writer.write(ByteBuffer(string: items.map(frame).joined()))
                }
                if let reason = await subscription.endReason() {
                    try await writer.write(ByteBuffer(string: "event: close\ndata: {\"reason\":\"\(reason.rawValue)\"}\n\n"))
                }
            } onGracefulShutdown: {
                Task { await subscription.end(.shutdown) }
            }
        } catch {
            await subscription.close()
            throw error
        }
        await subscription.close()
        try await writer.finish(nil)
    }

    static func frame(_ item: StreamItem) -> String {
        switch item {
        case .event(let event): "id: \(event.position)\nevent: \(event.type)\ndata: \(event.json)\n\n"
        case .heartbeat: ": heartbeat\n\n"
        }
    }
}
