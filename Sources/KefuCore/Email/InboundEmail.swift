import Crypto
import Foundation

/// An attachment kept as a reference: Kefu stores what it was, not its content.
public struct EmailAttachment: Codable, Sendable, Equatable {
    public var filename: String
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int
    /// Hex SHA-256 of the decoded content.
    public var sha256: String
}

/// An attachment over the limits: listed, not kept; the message is still taken.
public struct DroppedAttachment: Codable, Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var size: Int
    /// `too_large` (over `EmailAttachmentLimits.maximumBytes`) or `too_many` (over `maximumCount`).
    public var reason: String
}

/// How many attachments of one message are kept, and how large each may be.
public struct EmailAttachmentLimits: Sendable {
    public var maximumCount: Int
    public var maximumBytes: Int

    /// 20 attachments (as many as a ticket holds) of at most 10 MiB each.
    public init(maximumCount: Int = 20, maximumBytes: Int = 10 << 20) {
        self.maximumCount = maximumCount
        self.maximumBytes = maximumBytes
    }
}

/// What Kefu reads from a raw RFC 5322 message: who sent it, what it answers, its subject, its
/// text and its attachments. The text is the first `text/plain` of the message (all of its inline
/// `text/plain` parts outside alternatives, joined), else its HTML as plain text; quoted earlier
/// replies are kept as the sender wrote them.
public struct InboundEmail: Sendable {
    public var headers: MailHeaders
    /// `Message-ID` without angle brackets; nil when the message has none.
    public var messageID: String?
    /// `In-Reply-To`, then `References` newest first: the messages this one answers, nearest first.
    public var answers: [String]
    public var subject: String?
    public var from: MailAddress?
    public var contentType: String
    public var text: String
    public var attachments: [EmailAttachment]
    public var dropped: [DroppedAttachment]

    public init(_ bytes: [UInt8], limits: EmailAttachmentLimits = EmailAttachmentLimits()) {
        let root = MIMEPart(bytes)
        headers = root.headers
        messageID = MessageIDs.parse(root.headers["Message-ID"]).first
        var answers = MessageIDs.parse(root.headers["In-Reply-To"])
        for reference in MessageIDs.parse(root.headers["References"]).reversed() where !answers.contains(reference) {
            answers.append(reference)
        }
        self.answers = answers
        subject = root.headers.decoded("Subject")
        from = root.headers["From"].flatMap(MailAddress.first)
        contentType = root.contentType.value
        var content = Content()
        content.collect(root, textWanted: true)
        text = content.plain.isEmpty ? content.html.joined(separator: "\n\n") : content.plain.joined(separator: "\n\n")
        (attachments, dropped) = Self.references(content.files, limits: limits)
    }

    /// The parts that make up the message's text and its files.
    private struct Content {
        var plain: [String] = []
        var html: [String] = []
        var files: [MIMEPart] = []

        mutating func collect(_ part: MIMEPart, textWanted: Bool) {
            let type = part.contentType.value
            if type.hasPrefix("multipart/"), !part.parts.isEmpty {
                guard type == "multipart/alternative" else {
                    for child in part.parts { collect(child, textWanted: textWanted) }
                    return
                }
                // One rendering of the text: plain text if offered, else the richest (the last).
                let chosen = part.parts.firstIndex { $0.contentType.value == "text/plain" && !isFile($0) } ?? part.parts.count - 1
                for (index, child) in part.parts.enumerated() { collect(child, textWanted: textWanted && index == chosen) }
                return
            }
            if isFile(part) {
                files.append(part)
            } else if type == "text/plain" {
                if textWanted { plain.append(part.text) }
            } else if type == "text/html" {
                if textWanted { html.append(HTMLText.plain(part.text)) }
            } else if !type.hasPrefix("multipart/") {
                files.append(part)
            }
        }

        private func isFile(_ part: MIMEPart) -> Bool {
            part.disposition?.value == "attachment" || part.filename != nil
        }
    }

    private static func references(_ files: [MIMEPart], limits: EmailAttachmentLimits) -> ([EmailAttachment], [DroppedAttachment]) {
        var kept: [EmailAttachment] = []
        var dropped: [DroppedAttachment] = []
        for (index, file) in files.enumerated() {
            let content = file.body
            let type = file.contentType.value
            let name = file.filename ?? "attachment-\(index + 1)"
            if content.count > limits.maximumBytes {
                dropped.append(DroppedAttachment(filename: name, contentType: type, size: content.count, reason: "too_large"))
            } else if kept.count >= limits.maximumCount {
                dropped.append(DroppedAttachment(filename: name, contentType: type, size: content.count, reason: "too_many"))
            } else {
                let digest = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
                kept.append(EmailAttachment(filename: name, contentType: type, size: content.count, sha256: digest))
            }
        }
        return (kept, dropped)
    }
}
