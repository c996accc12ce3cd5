import Foundation
import KefuPostgres

/// Which page of a list to return: at most `limit` items after `cursor`.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200

    public var limit: Int
    public var after: Cursor?

    /// Validates `limit` (1…200) and decodes the opaque `cursor` of a previous page.
    public init(limit: Int? = nil, cursor: String? = nil) throws {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else {
            throw KefuError.invalidField("limit", "must be between 1 and \(Self.maximumLimit)")
        }
        self.limit = limit
        if let cursor, !cursor.isEmpty {
            guard let decoded = Cursor(encoded: cursor) else { throw KefuError.invalidField("cursor", "is not a cursor from this API") }
            self.after = decoded
        }
    }

    /// Keyset position: lists are ordered by (created_at, id).
    public struct Cursor: Sendable, Equatable {
        public var createdAt: Date
        public var id: UUID

        public init(createdAt: Date, id: UUID) {
            self.createdAt = createdAt
            self.id = id
        }

        /// The longest cursor this API writes is 67 characters.
        static let maximumEncodedLength = 128

        /// Decodes a cursor, checking every field: base64url text of `<microseconds>|<UUID>`
        /// whose instant lies within `InputDates`' range (a creation time Kefu can have written).
        /// Nil for anything else, so no client text reaches time arithmetic unchecked.
        init?(encoded: String) {
            guard encoded.utf8.count <= Self.maximumEncodedLength, let text = Base64URL.decode(encoded) else { return nil }
            let parts = text.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].utf8.allSatisfy({ (48...57).contains($0) }), let micros = Int64(parts[0]),
                let id = UUID(uuidString: String(parts[1]))
            else { return nil }
            let createdAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            guard InputDates.contains(createdAt) else { return nil }
            self.createdAt = createdAt
            self.id = id
        }

        public var encoded: String {
            let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
            return Base64URL.encode("\(micros)|\(id.uuidString)")
        }
    }

    /// `AND (created_at, id) > (…)` for the cursor, or nothing on the first page.
    public var keysetCondition: PostgresQuery {
        guard let after else { return "" }
        return " AND (created_at, id) > (\(after.createdAt), \(after.id))"
    }

    /// `ORDER BY created_at, id LIMIT n+1` (one extra row tells whether there is a next page).
    public var orderAndLimit: PostgresQuery {
        " ORDER BY created_at, id LIMIT \(limit + 1)"
    }
}

/// One page of a list and the cursor of the next one (nil on the last page).
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched rows.
    public init(fetched: [Item], request: PageRequest, position: (Item) -> PageRequest.Cursor) {
        self.init(fetched: fetched, limit: request.limit) { position($0).encoded }
    }

    /// Builds a page from `limit + 1` fetched rows; `cursor` encodes the position of the last item.
    public init(fetched: [Item], limit: Int, cursor: (Item) -> String) {
        if fetched.count > limit {
            items = Array(fetched.prefix(limit))
            nextCursor = items.last.map(cursor)
        } else {
            items = fetched
            nextCursor = nil
        }
    }
}

extension Page: JSONWritable where Item: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) throws {
        writer.beginObject()
        try writer.array("items", items)
        writer.field("next_cursor", nextCursor)
        writer.endObject()
    }
}
