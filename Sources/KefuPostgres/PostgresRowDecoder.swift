import Foundation

/// Decodes a row into a `Decodable` type: property `firstOwnerId` reads column `first_owner_id`.
/// Scalars use `PostgresDecodable`; json/jsonb columns decode nested types with JSON; arrays and
/// `RawRepresentable` enums decode from their text form.
struct PostgresRowDecoder: Decoder {
    let row: PostgresRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "a row is keyed"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.values.count == 1 else {
            throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "row has several columns"))
        }
        return CellDecoder(text: row.values[0], type: row.columns.types[0], column: row.columns.names[0])
    }

    /// `firstOwnerId` → `first_owner_id`, computed once per property name.
    static func columnName(for key: some CodingKey) -> String {
        let name = key.stringValue
        if let cached = columnNames.withLock({ $0[name] }) { return cached }
        var result = ""
        for char in name {
            if char.isUppercase {
                result += "_" + char.lowercased()
            } else {
                result.append(char)
            }
        }
        columnNames.withLock { $0[name] = result }
        return result
    }

    private static let columnNames = LockedDictionary()
}

private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRow
    /// The result's property-name index, taken once for the row (it is built under a lock).
    let byProperty: [String: Int]
    var codingPath: [any CodingKey] { [] }

    init(row: PostgresRow) {
        self.row = row
        self.byProperty = row.columns.indexByPropertyName
    }
    var allKeys: [Key] { row.columns.names.compactMap { Key(stringValue: $0) } }

    /// The column a property reads: one lookup by property name, else by its snake_case name.
    private func index(_ key: Key) -> Int? {
        byProperty[key.stringValue] ?? row.columns.indexByName[PostgresRowDecoder.columnName(for: key)]
    }

    func contains(_ key: Key) -> Bool { index(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = index(key) else { return true }
        return row.values[index] == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let index = index(key) else {
            throw PostgresError(kind: .decoding, message: "no column named '\(PostgresRowDecoder.columnName(for: key))' for \(T.self)")
        }
        let column = row.columns.names[index]
        let type = row.columns.types[index]
        let isJSON = type == .json || type == .jsonb
        if let scalar = T.self as? any PostgresDecodable.Type, !isJSON || T.self == String.self {
            return try decodeScalar(scalar, index: index) as! T
        }
        return try CellDecoder(text: row.values[index], type: type, column: column).decode(T.self)
    }

    private func decodeScalar<S: PostgresDecodable>(_ type: S.Type, index: Int) throws -> S {
        try row.decode(S.self, at: index)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "use a json column"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "use an array column"))
    }

    func superDecoder() throws -> any Decoder { PostgresRowDecoder(row: row) }
    func superDecoder(forKey key: Key) throws -> any Decoder { PostgresRowDecoder(row: row) }
}

/// Decodes one column value: scalars, RawRepresentable enums, arrays, and JSON documents.
private struct CellDecoder: Decoder, SingleValueDecodingContainer {
    let text: String?
    let type: PostgresDataType
    let column: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "column '\(column)' is not JSON"))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let text else { throw PostgresError(kind: .decoding, message: "column '\(column)' is NULL") }
        let items: [String?]
        do {
            items = try PostgresArrayText.decode(text)
        } catch let failure as PostgresDecodingFailure {
            throw PostgresError(kind: .decoding, message: "column '\(column)': \(failure.reason)", column: column)
        }
        return ArrayCells(items: items, type: PostgresArrayText.elementType(ofArray: type), column: column)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { text == nil }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let isJSON = self.type == .json || self.type == .jsonb
        if let scalar = T.self as? any PostgresDecodable.Type, !isJSON || T.self == String.self {
            return try decodeScalar(scalar) as! T
        }
        if isJSON {
            guard let text else { throw PostgresError(kind: .decoding, message: "column '\(column)' is NULL") }
            do {
                return try PostgresJSONCoding.decoder().decode(T.self, from: Data(text.utf8))
            } catch {
                throw PostgresError(kind: .decoding, message: "column '\(column)': invalid JSON for \(T.self): \(error)")
            }
        }
        return try T(from: self)
    }

    private func decodeScalar<S: PostgresDecodable>(_ type: S.Type) throws -> S {
        guard let text else {
            throw PostgresError(kind: .decoding, message: "column '\(column)' is NULL, expected \(S.self)")
        }
        do {
            return try S.decodePostgres(text, type: self.type)
        } catch let failure as PostgresDecodingFailure {
            throw PostgresError(kind: .decoding, message: "column '\(column)' (\(self.type)): \(failure.reason)")
        }
    }
}

private struct ArrayCells: UnkeyedDecodingContainer {
    let items: [String?]
    let type: PostgresDataType
    let column: String
    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    var currentIndex = 0

    init(items: [String?], type: PostgresDataType, column: String) {
        self.items = items
        self.type = type
        self.column = column
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == nil else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else { throw PostgresError(kind: .decoding, message: "column '\(column)': array too short") }
        let cell = CellDecoder(text: items[currentIndex], type: self.type, column: column)
        currentIndex += 1
        return try cell.decode(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw PostgresError(kind: .decoding, message: "column '\(column)': nested containers are not supported")
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresError(kind: .decoding, message: "column '\(column)': nested arrays are not supported")
    }

    mutating func superDecoder() throws -> any Decoder {
        throw PostgresError(kind: .decoding, message: "column '\(column)': super decoders are not supported")
    }
}

/// A small thread-safe cache of property → column names.
final class LockedDictionary: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: String] = [:]

    func withLock<T>(_ body: (inout [String: String]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&storage)
    }
}
