import CLibPQ

/// The statements one connection has prepared on the server, by SQL text and parameter types.
///
/// Every statement a service sends is a fixed text with bound parameters, so the set is small
/// and each one is parsed and planned by the server once per connection instead of on every
/// call (PostgreSQL re-plans a prepared statement by itself when a table it reads changes).
/// The cache is bounded: past `capacity` statements, new texts run unnamed as before.
struct PreparedStatementCache {
    struct Key: Hashable {
        var sql: String
        var types: [Oid]
    }

    let capacity: Int
    private var names: [Key: String] = [:]
    private var nextNumber = 0

    init(capacity: Int = 500) {
        self.capacity = capacity
    }

    var count: Int { names.count }

    func name(for key: Key) -> String? {
        names[key]
    }

    /// A fresh statement name, or nil when the cache is full.
    mutating func reserveName() -> String? {
        guard names.count < capacity else { return nil }
        nextNumber += 1
        return "kefu_\(nextNumber)"
    }

    mutating func insert(_ key: Key, name: String) {
        names[key] = name
    }

    mutating func remove(_ key: Key) {
        names[key] = nil
    }
}
