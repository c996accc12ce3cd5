import Foundation
import KefuPostgres

/// Acts on claimed SLA-clock timers (`sla:*`) set-based: breaches, escalations to each tenant's
/// supervisors, owner reminders, events, and the timers finished or re-armed, for a whole claimed
/// batch in one transaction (`kefu_act_on_sla_timers`: sql/012_worker_batches.sql explains why it
/// runs with owner rights and how it keeps each row in its timer's tenant; sql/020 has it take the
/// clock rules from `SLAClockRule`).
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

    func act(_ timers: [TimerSweeper.DueTimer], now: Date) async throws -> Outcome {
        guard !timers.isEmpty else { return Outcome() }
        let row = try await pool.queryFirst(
            """
            SELECT performed, rescheduled FROM kefu_act_on_sla_timers(
                \(now), \(timers.map(\.tenantID))::uuid[], \(timers.map(\.ticketID))::uuid[], \(timers.map(\.kind))::text[], \(SLAClockRule.document)::jsonb)
            """
        )
        let outcome = Outcome(performed: try row?.decode(Int.self, "performed") ?? 0, rescheduled: try row?.decode(Int.self, "rescheduled") ?? 0)
        // The batch wrote events (breaches, escalations) for these tenants: wake their live streams.
        if outcome.performed > 0 {
            for tenantID in Set(timers.map(\.tenantID)) { StreamAnnouncer.announce(tenantID, on: pool) }
        }
        return outcome
    }
}
