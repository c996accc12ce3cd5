import Foundation

/// Mail that must never open a ticket or add a message, because answering it could start a mail
/// loop or because no person wrote it: bounces, delivery reports, auto-replies, bulk mail, and
/// Kefu's own mail coming back. Each has a reason the endpoint answers with `ignored`.
public enum EmailLoopRule: String, Sendable, CaseIterable {
    /// An empty return path (`Return-Path: <>`) or a mailer daemon: a bounce.
    case bounce
    /// `Content-Type: multipart/report`: a delivery status (or read) notification.
    case deliveryReport = "delivery_report"
    /// `Auto-Submitted` other than `no` (RFC 3834).
    case autoSubmitted = "auto_submitted"
    /// `X-Autoreply` or `X-Autorespond`, as some servers mark vacation replies.
    case autoReply = "auto_reply"
    /// `Precedence: bulk`, `junk` or `list`.
    case bulk
    /// From one of the tenant's (or the deployment's) own sending addresses.
    case ownAddress = "own_address"
    /// A `Message-ID` Kefu itself wrote (`kefu.…`): Kefu's outgoing mail coming back.
    case ownMessage = "own_message"

    /// The first rule `email` falls under, or nil when a person wrote it.
    public static func match(_ email: InboundEmail, ownAddresses: Set<String>) -> EmailLoopRule? {
        let headers = email.headers
        if headers["Return-Path"].map({ $0.replacingOccurrences(of: " ", with: "") == "<>" }) == true { return .bounce }
        if let local = email.from?.address.split(separator: "@").first?.lowercased(), ["mailer-daemon", "postmaster"].contains(local) {
            return .bounce
        }
        if email.contentType == "multipart/report" { return .deliveryReport }
        if let auto = headers["Auto-Submitted"].map(HeaderValue.init)?.value, !auto.isEmpty, auto != "no" { return .autoSubmitted }
        if headers["X-Autoreply"] != nil || headers["X-Autorespond"] != nil { return .autoReply }
        if let precedence = headers["Precedence"]?.lowercased().trimmingCharacters(in: .whitespaces),
            ["bulk", "junk", "list"].contains(precedence)
        {
            return .bulk
        }
        if let sender = email.from?.address, ownAddresses.contains(sender) { return .ownAddress }
        if email.messageID?.lowercased().hasPrefix("kefu.") == true { return .ownMessage }
        return nil
    }
}
