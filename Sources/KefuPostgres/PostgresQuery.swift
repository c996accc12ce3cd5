/// A SQL statement whose interpolated values become bound parameters.
///
/// ```swift
/// let query: PostgresQuery = "SELECT * FROM tickets WHERE tenant_id = \(tenant) AND status = \(status)"
/// // sql == "SELECT * FROM tickets WHERE tenant_id = $1 AND status = $2", two binds
/// ```
/// Only `\(unescaped:)` inserts text verbatim; it is for trusted SQL fragments, never user input.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$n` placeholders.
    public internal(set) var sql: String
    /// The bound values, in placeholder order.
    public internal(set) var binds: [PostgresBindValue]
    /// The OID of each bound value.
    public internal(set) var types: [PostgresDataType]
    /// Sent unnamed (parsed each time) instead of through the connection's prepared-statement
    /// cache: for trusted text that varies per call, so the cache does not grow with it.
    public internal(set) var unprepared = false

    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.binds = []
        self.types = []
    }

    /// Trusted SQL text without parameters that changes from call to call (such as
    /// `SET LOCAL app.tenant_id = '<uuid>'`, whose value cannot be a parameter): never prepared,
    /// so each distinct text costs no server-side statement and no cache entry.
    public init(unpreparedSQL sql: String) {
        self.init(unsafeSQL: sql)
        self.unprepared = true
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
        self.types = stringInterpolation.types
    }

    /// The SQL text only, never the values.
    public var description: String { sql }

    /// Appends another query, renumbering its placeholders.
    public mutating func append(_ other: PostgresQuery) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.sql = sql
        interpolation.binds = binds
        interpolation.types = types
        interpolation.appendInterpolation(other)
        self = PostgresQuery(stringInterpolation: interpolation)
    }

    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery {
        var result = lhs
        result.append(rhs)
        return result
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var binds: [PostgresBindValue]
        var types: [PostgresDataType]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            types = []
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresBindValue())
            types.append(Value.postgresType)
            sql += "$\(binds.count)"
        }

        /// Binds an optional value (`nil` is SQL NULL).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value?.postgresBindValue() ?? .null)
            types.append(Value.postgresType)
            sql += "$\(binds.count)"
        }

        /// Binds a `Codable` value as `jsonb`.
        public mutating func appendInterpolation<Value: Codable & Sendable>(json value: Value) {
            appendInterpolation(PostgresJSON(value))
        }

        /// Inlines another query, renumbering its placeholders.
        public mutating func appendInterpolation(_ query: PostgresQuery) {
            let offset = binds.count
            if offset == 0 {
                sql += query.sql
            } else {
                sql += Self.renumber(query.sql, by: offset)
            }
            binds += query.binds
            types += query.types
        }

        /// Inserts trusted SQL text verbatim (identifiers chosen by code, never user input).
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }

        static func renumber(_ sql: String, by offset: Int) -> String {
            var result = ""
            var scalars = sql.unicodeScalars.makeIterator()
            var pending: Unicode.Scalar? = scalars.next()
            while let scalar = pending {
                pending = scalars.next()
                guard scalar == "$", let next = pending, ("0"..."9").contains(next) else {
                    result.unicodeScalars.append(scalar)
                    continue
                }
                var digits = ""
                while let digit = pending, ("0"..."9").contains(digit) {
                    digits.unicodeScalars.append(digit)
                    pending = scalars.next()
                }
                result += "$\((Int(digits) ?? 0) + offset)"
            }
            return result
        }
    }
}
