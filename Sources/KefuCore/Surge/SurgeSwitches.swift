import Foundation
import KefuPostgres

/// What an active surge mode switches at intake (sql/009's `surge_modes`).
struct SurgeSwitches: Decodable, Sendable, Equatable {
    /// Automatic replies are not sent.
    var autoRepliesOff: Bool
    /// Chat goes straight to whoever is free, whatever the routing rule asks.
    var fastTransfer: Bool

    /// The tenant's switches while its surge mode is active; nil when it is not.
    static func activeStatement(_ tx: TenantTransaction) -> PostgresStatement<SurgeSwitches?> {
        let query: PostgresQuery =
            "SELECT auto_replies_off, fast_transfer FROM surge_modes WHERE tenant_id = \(tx.tenantID) AND active"
        return query.rows(SurgeSwitches.self).map(\.first)
    }
}
