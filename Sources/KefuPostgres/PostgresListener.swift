import Foundation
import Logging

/// A notification sent with `NOTIFY` / `pg_notify`.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var backendPID: Int32
}

/// What a listener reports.
public enum PostgresListenerEvent: Sendable, Equatable {
    case notification(PostgresNotification)
    /// The connection broke and was re-established (and the channels re-LISTENed): notifications
    /// sent in between were lost, so the consumer should re-read the state it cares about.
    case reconnected
}

/// LISTENs on channels over a dedicated connection and delivers notifications as an `AsyncSequence`.
///
/// The connection's socket is polled (no sleeping between checks); when it breaks the listener
/// reconnects with backoff, re-LISTENs, and yields `.reconnected`.
public final class PostgresListener: Sendable {
    public let configuration: PostgresConfiguration
    public let channels: [String]
    let logger: Logger

    /// - Parameter channels: channel names chosen by code: lowercase letters, digits and `_`.
    public init(
        _ configuration: PostgresConfiguration,
        channels: [String],
        logger: Logger = Logger(label: "kefu.postgres.listener")
    ) throws {
        for channel in channels where !Self.isValidChannel(channel) {
            throw PostgresError(kind: .client, message: "invalid channel name '\(channel)'")
        }
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    static func isValidChannel(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.isEmpty, name.count <= 63 else { return false }
        guard ("a"..."z").contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Starts listening; the stream ends when the consuming task is cancelled or stops iterating.
    /// The first element is only delivered after LISTEN succeeded: `ready` is called then.
    public func events(ready: (@Sendable () -> Void)? = nil) -> AsyncStream<PostgresListenerEvent> {
        let (stream, continuation) = AsyncStream<PostgresListenerEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let task = Task { [self] in
            await self.loop(continuation, ready: ready)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func loop(_ continuation: AsyncStream<PostgresListenerEvent>.Continuation, ready: (@Sendable () -> Void)?) async {
        var connectedBefore = false
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration, logger: logger)
                for channel in channels {
                    // The name was validated as a plain identifier; LISTEN takes no parameters.
                    try await connection.simpleQuery("LISTEN \"\(channel)\"")
                }
            } catch {
                logger.warning("listener could not connect", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
                continue
            }
            backoff = .milliseconds(100)
            if connectedBefore {
                continuation.yield(.reconnected)
            } else {
                ready?()
            }
            connectedBefore = true
            while !Task.isCancelled {
                do {
                    for notification in try await connection.pollNotifications(timeout: .milliseconds(200)) {
                        continuation.yield(.notification(notification))
                    }
                } catch {
                    logger.warning("listener connection lost, reconnecting", metadata: ["error": "\(error)"])
                    break
                }
            }
            await connection.close()
        }
    }
}

extension PostgresQueryable {
    /// Sends a notification (`pg_notify`, with the channel and payload bound as parameters).
    public func notify(_ channel: String, payload: String = "") async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))")
    }
}
