import Foundation

/// What a receiver answered: its status code and the start of its body (robots report errors in
/// the body of a 200).
public struct TransportAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Sends one outbox request: a POST of `body` with `headers` to `url`, no redirects followed,
/// within `timeout`. Throws when no answer came.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> TransportAnswer
}
