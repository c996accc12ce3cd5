import AsyncHTTPClient
import Foundation
import NIOCore

/// A Server-Sent Events client over async-http-client: reads a stream's body as it arrives and
/// parses it into frames a test waits for.
public final class EventStreamClient: @unchecked Sendable {
    /// One frame of the stream: an event (id, event name, data) or a comment line.
    public enum Frame: Sendable, Equatable {
        case event(id: String?, name: String?, data: String)
        case comment(String)

        public var isHeartbeat: Bool { self == .comment("heartbeat") }
    }

    /// The events of `frames` (id, name, data), comments left out.
    public static func events(_ frames: [Frame]) -> [(id: String?, name: String?, data: String)] {
        frames.compactMap { frame in
            guard case .event(let id, let name, let data) = frame else { return nil }
            return (id, name, data)
        }
    }

    public let status: Int
    public let contentType: String?
    private let lock = NSLock()
    private var received: [Frame] = []
    private var finished = false
    private var reader: Task<Void, Never>?

    /// Opens `url` with the headers given; `status` is the response's. The body is read in the
    /// background until it ends or `close()`.
    public init(_ url: String, headers: [String: String]) async throws {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        status = Int(response.status.code)
        contentType = response.headers.first(name: "content-type")
        reader = Task { [self] in
            var text = ""
            do {
                for try await buffer in response.body {
                    text += String(buffer: buffer)
                    while let end = text.range(of: "\n\n") {
                        let block = String(text[..<end.lowerBound])
                        text = String(text[end.upperBound...])
                        add(Self.parse(block))
                    }
                }
            } catch {}
            lock.withLock { finished = true }
        }
    }

    private func add(_ frames: [Frame]) { lock.withLock { received += frames } }

    static func parse(_ block: String) -> [Frame] {
        var id: String?
        var name: String?
        var data: [String] = []
        var comments: [Frame] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                comments.append(.comment(line.dropFirst().trimmingCharacters(in: .whitespaces)))
            } else if line.hasPrefix("id: ") {
                id = String(line.dropFirst(4))
            } else if line.hasPrefix("event: ") {
                name = String(line.dropFirst(7))
            } else if line.hasPrefix("data: ") {
                data.append(String(line.dropFirst(6)))
            }
        }
        return comments + (data.isEmpty ? [] : [.event(id: id, name: name, data: data.joined(separator: "\n"))])
    }

    /// Every frame so far.
    public var frames: [Frame] { lock.withLock { received } }

    /// Whether the server ended the body.
    public var ended: Bool { lock.withLock { finished } }

    /// Waits until `condition` holds for the frames so far (or the body has ended), at most
    /// `timeout`; answers the frames then.
    @discardableResult
    public func wait(
        timeout: Duration = .seconds(10),
        until condition: ([Frame]) -> Bool
    ) async throws -> [Frame] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (frames, ended) = lock.withLock { (received, finished) }
            if condition(frames) || ended { return frames }
            try await Task.sleep(for: .milliseconds(10))
        }
        return frames
    }

    /// Waits for the body to end; answers whether it did within `timeout`.
    public func waitForEnd(timeout: Duration = .seconds(10)) async throws -> Bool {
        try await wait(timeout: timeout) { _ in false }
        return ended
    }

    /// Stops reading (the connection closes).
    public func close() {
        reader?.cancel()
    }
}
