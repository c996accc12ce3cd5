import Foundation

/// The column names and types of a result, shared by all its rows.
public final class PostgresColumns: @unchecked Sendable {
    public let names: [String]
    public let types: [PostgresDataType]
    let indexByName: [String: Int]
    private let lock = NSLock()
    private var propertyIndex: [String: Int]?

    init(names: [String], types: [PostgresDataType]) {
        self.names = names
        self.types = types
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.indexByName = index
    }

    /// Column positions by the Swift property name that reads them (`first_owner_id` →
    /// `firstOwnerId`), so that decoding a row field costs one lookup. Built on first use:
    /// rows read by position never need it.
    var indexByPropertyName: [String: Int] {
        lock.withLock {
            if let propertyIndex { return propertyIndex }
            var byProperty: [String: Int] = [:]
            for (i, name) in names.enumerated() {
                let property = Self.propertyName(name)
                if byProperty[property] == nil { byProperty[property] = i }
            }
            propertyIndex = byProperty
            return byProperty
        }
    }

    /// `first_owner_id` → `firstOwnerId`.
    static func propertyName(_ column: String) -> String {
        guard column.contains("_") else { return column }
        var result = ""
        var upperNext = false
        for character in column {
            if character == "_", !result.isEmpty {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// One row of a result, values in text format (`nil` is SQL NULL).
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    public let values: [String?]

    init(columns: PostgresColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// Whether the result has a column with this name.
    public func contains(_ column: String) -> Bool { columns.indexByName[column] != nil }

    /// Whether the column holds SQL NULL (false for unknown columns).
    public func isNull(_ column: String) -> Bool {
        guard let index = columns.indexByName[column] else { return false }
        return values[index] == nil
    }

    /// Decodes the value at a column position.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        guard index >= 0, index < values.count else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        return try decodeValue(Value.self, index: index)
    }

    /// Decodes a nullable column at a position: SQL NULL is nil (checked here, not through the
    /// generic `Optional` conformance, on the hot path of hand-written row readers).
    public func decode<Wrapped: PostgresDecodable>(_ type: Wrapped?.Type = Wrapped?.self, at index: Int) throws -> Wrapped? {
        guard index >= 0, index < values.count else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        guard values[index] != nil else { return nil }
        return try decodeValue(Wrapped.self, index: index)
    }

    /// Decodes the value of a named column.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, _ column: String) throws -> Value {
        guard let index = columns.indexByName[column] else {
            throw PostgresError(kind: .decoding, message: "no column named '\(column)'")
        }
        return try decodeValue(Value.self, index: index)
    }

    /// Decodes the whole row into a `Decodable` type whose camelCase properties name snake_case columns.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        do {
            return try Value(from: PostgresRowDecoder(row: self))
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(kind: .decoding, message: "cannot decode \(Value.self): \(error)")
        }
    }

    private func decodeValue<Value: PostgresDecodable>(_ type: Value.Type, index: Int) throws -> Value {
        let name = columns.names[index]
        let columnType = columns.types[index]
        guard let text = values[index] else {
            if let optional = Value.self as? any PostgresOptionalMarker.Type, let null = optional.nullValue as? Value {
                return null
            }
            throw PostgresError(kind: .decoding, message: "column '\(name)' is NULL, expected \(Value.self)")
        }
        do {
            return try Value.decodePostgres(text, type: columnType)
        } catch let failure as PostgresDecodingFailure {
            throw PostgresError(
                kind: .decoding,
                message: "column '\(name)' (\(columnType)): \(failure.reason)",
                column: name
            )
        }
    }
}
