import Foundation

/// Decoded tenant settings by tenant, keyed by the exact stored document.
///
/// Decoding a tenant's settings (defaults merged with the stored JSON, through Foundation's
/// coders) was a fifth of the CPU of a ticket intake. The stored text is still read in the
/// caller's transaction on every use, so a changed document — by the API, the CLI or plain
/// SQL, in any process — is seen at once; only the decoding is skipped while it is unchanged.
final class TenantSettingsCache: @unchecked Sendable {
    static let shared = TenantSettingsCache()

    private struct Entry {
        var stored: String
        var settings: TenantSettings
    }

    private let lock = NSLock()
    private var entries: [UUID: Entry] = [:]
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The settings `stored` decodes to for `tenantID`.
    func settings(for tenantID: UUID, stored: String) throws -> TenantSettings {
        if let entry = lock.withLock({ entries[tenantID] }), entry.stored == stored {
            return entry.settings
        }
        // A plain decoder: key strategies would rewrite the document's own keys.
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(stored.utf8))
        let settings = try TenantSettings.fromStored(document)
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[tenantID] = Entry(stored: stored, settings: settings)
        }
        return settings
    }

    var count: Int { lock.withLock { entries.count } }
}
