import Foundation

/// One entity of a MIME message (RFC 2045/2046): its headers, its body still transfer-encoded,
/// and for a `multipart/*` its parts. The message itself is the root part.
public struct MIMEPart: Sendable {
    public var headers: MailHeaders
    /// The body as it was sent (still quoted-printable or base64).
    public var rawBody: [UInt8]
    public var parts: [MIMEPart]

    /// How deep multiparts may nest and how many parts a message may have in all: beyond them the
    /// rest is not parsed (its bytes stay in the enclosing part), so a crafted message cannot
    /// make the parser recurse or allocate without bound.
    public static let maximumDepth = 10
    public static let maximumParts = 200

    /// Parses a whole message (or part): headers up to the first empty line, then the body.
    public init(_ bytes: [UInt8]) {
        var budget = Self.maximumParts
        self.init(bytes[...], depth: 0, budget: &budget)
    }

    private init(_ bytes: ArraySlice<UInt8>, depth: Int, budget: inout Int) {
        let (header, body) = Self.splitHeader(bytes)
        headers = MailHeaders(header)
        rawBody = Array(body)
        parts = []
        let type = contentType
        guard type.value.hasPrefix("multipart/"), depth < Self.maximumDepth, let boundary = type.parameters["boundary"], !boundary.isEmpty
        else { return }
        for section in Self.sections(body, boundary: Array(boundary.utf8)) {
            guard budget > 0 else { break }
            budget -= 1
            parts.append(MIMEPart(section, depth: depth + 1, budget: &budget))
        }
    }

    /// `Content-Type`; `text/plain; charset=us-ascii` when absent (RFC 2045 §5.2), and
    /// `message/rfc822` for a part of `multipart/digest` is not needed here.
    public var contentType: HeaderValue {
        HeaderValue(headers["Content-Type"] ?? "text/plain; charset=us-ascii")
    }

    /// `Content-Disposition`, when given.
    public var disposition: HeaderValue? {
        headers["Content-Disposition"].map(HeaderValue.init)
    }

    /// The body with its transfer encoding undone.
    public var body: [UInt8] {
        TransferEncoding.decode(rawBody, encoding: headers["Content-Transfer-Encoding"])
    }

    /// The body as text in its declared charset, line breaks as `\n`.
    public var text: String {
        MailCharset.decode(body, charset: contentType.parameters["charset"])
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The file name from `Content-Disposition: …; filename=` or `Content-Type: …; name=`.
    public var filename: String? {
        let name = disposition?.parameters["filename"] ?? contentType.parameters["name"]
        return name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    }

    /// The header section and the body: split at the first empty line (CRLF CRLF or LF LF). A
    /// message without an empty line is all header.
    static func splitHeader(_ bytes: ArraySlice<UInt8>) -> (header: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                let line = bytes[lineStart..<index]
                if line.isEmpty || line == [0x0D] {
                    return (bytes[bytes.startIndex..<lineStart], bytes[(index + 1)...])
                }
                lineStart = index + 1
            }
            index += 1
        }
        return (bytes, bytes[bytes.endIndex...])
    }

    /// The sections of a multipart body between `--boundary` lines, up to `--boundary--`. The line
    /// break before a boundary line belongs to the boundary; the preamble and epilogue are dropped.
    static func sections(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        let delimiter: [UInt8] = [0x2D, 0x2D] + boundary
        var sections: [ArraySlice<UInt8>] = []
        var sectionStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let after = line.dropFirst(delimiter.count)
                let closing = after.starts(with: [0x2D, 0x2D])
                let trailing = closing ? after.dropFirst(2) : after
                if trailing.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = sectionStart {
                        // The CRLF (or LF) that ends the section's last line belongs to the delimiter.
                        var end = lineStart
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        sections.append(body[start..<max(start, end)])
                    }
                    if closing { return sections }
                    sectionStart = min(lineEnd + 1, body.endIndex)
                }
            }
            lineStart = lineEnd + 1
        }
        // No closing delimiter (a truncated message): the last section runs to the end.
        if let start = sectionStart, start < body.endIndex { sections.append(body[start...]) }
        return sections
    }
}
