import Foundation

/// Sends one webhook request: a POST of `body` with `headers` to `url`, no redirects followed,
/// within `timeout`. Answers the receiver's status code; throws when no answer came.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int
}
