import Foundation
import KefuPostgres

/// Acts on claimed SLA-clock timers (`sla:*`) set-based: breaches, escalations to the tenant's
/// supervisors, owner reminders, events, and the timers finished or re-armed, for one tenant's
/// share of a claimed batch in one transaction (`kefu_act_on_sla_timers`: sql/012_worker_batches.sql
/// explains why it runs with owner rights and how it keeps each row in its timer's tenant; sql/020
/// has it take the clock rules from `SLAClockRule`). One call per tenant (`byTenant`): each
/// touches one tenant's rows, one shard on Citus (docs/SCALING.md).
///
/// Exactly once: the timers are locked and re-checked inside that transaction, so a timer that
/// another worker finished, or whose clock was met meanwhile, is left alone; a worker killed
/// mid-batch leaves nothing behind and the batch is redone after its lease.
struct SLAClockBatch {
    let pool: ConnectionPool

    /// What a batch did; timers not counted were no longer pending (skipped).
    struct Outcome: Equatable {
        var performed = 0
        var rescheduled = 0
    }

    /// Whether the timer kind is an SLA clock this batch acts on.
    static func handles(_ kind: String) -> Bool { kind.hasPrefix("sla:") }

    /// The timers grouped by tenant, in the order their tenants first come (the claim's: oldest
    /// first), each group in claim order.
    static func byTenant(_ timers: [TimerSweeper.DueTimer]) -> [[TimerSweeper.DueTimer]] {
        var groups: [UUID: [TimerSweeper.DueTimer]] = [:]
        var order: [UUID] = []
        for timer in timers {
            if groups[timer.tenantID] == nil { order.append(timer.tenantID) }
            groups[timer.tenantID, default: []].append(timer)
        }
        return order.compactMap { groups[$0] }
    }

    /// Acts on one tenant's timers (`byTenant`) in one transaction.
    func act(_ timers: [TimerSweeper.DueTimer], now: Date) async throws -> Outcome {
        guard let tenantID = timers.first?.tenantID else { return Outcome() }
        precondition(timers.allSatisfy { $0.tenantID == tenantID }, "one tenant's timers per call")
        let row = try await pool.queryFirst(
            """
            SELECT performed, rescheduled FROM kefu_act_on_sla_timers(
                \(now), \(timers.map(\.tenantID))::uuid[], \(timers.map(\.ticketID))::uuid[], \(timers.map(\.kind))::text[], \(SLAClockRule.document)::jsonb)
            """
        )
        let outcome = Outcome(performed: try row?.decode(Int.self, "performed") ?? 0, rescheduled: try row?.decode(Int.self, "rescheduled") ?? 0)
        // The batch wrote events (breaches, escalations) for the tenant: wake its live streams.
        if outcome.performed > 0 { StreamAnnouncer.announce(tenantID, on: pool) }
        return outcome
    }
}
