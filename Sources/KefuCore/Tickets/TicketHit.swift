import Foundation

/// A ticket found by a search: the ticket's own fields plus `rank` (higher is better) and
/// `highlight` (the matching snippet as HTML: the text escaped, `<mark>` around the matches).
public struct TicketHit: Sendable, Equatable {
    public var ticket: Ticket
    public var rank: Double
    public var highlight: String

    public init(ticket: Ticket, rank: Double, highlight: String) {
        self.ticket = ticket
        self.rank = rank
        self.highlight = highlight
    }
}

extension TicketHit: Encodable {
    private enum CodingKeys: String, CodingKey {
        case rank, highlight
    }

    /// One flat object: the ticket's fields, then `rank` and `highlight`.
    public func encode(to encoder: any Encoder) throws {
        try ticket.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(highlight, forKey: .highlight)
    }
}

extension TicketHit: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) throws {
        writer.beginObject()
        try ticket.writeMembers(to: &writer)
        try writer.field("rank", encoding: rank)
        writer.field("highlight", highlight)
        writer.endObject()
    }
}
