import Foundation
import KefuPostgres

/// Date parsing shared with the database layer.
enum PostgresTimestampBridge {
    static func parse(_ text: String) -> Date? {
        guard text.count >= 10 else { return nil }
        return PostgresTimestamp.parse(text)
    }
}
