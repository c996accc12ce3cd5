import Foundation
import KefuPostgres

/// What the detector knows about one candidate tenant after the sweep's single read.
struct SurgeReading: Sendable {
    var tenantID: UUID
    var settings: SurgeSettings
    var mode: SurgeModeState
    /// A scheduled event's staffing change (reserves on, or back) is due.
    var eventsDue: Bool
    var histories: [String: IntakeHistory]

    /// What the tenant's mode needs now; computed without a lock or a write.
    func step(now: Date) -> SurgeStep {
        SurgeDecision.next(mode, rates: SurgeService.rates(histories, now: now, settings: settings), settings: settings, now: now)
    }
}

/// The sweep's read: every candidate tenant's settings, mode, due events and intake counts in
/// one statement (`kefu_surge_readings`), whatever the number of tenants.
enum SurgeReadings {
    /// The readings, and the tenants whose stored settings could not be read (left out of this
    /// sweep, so one tenant's bad document never stops the detector for the others).
    struct Sweep {
        var readings: [SurgeReading] = []
        var unreadable: [UUID: any Error] = [:]
    }

    static func load(_ pool: ConnectionPool, since: Date, now: Date) async throws -> Sweep {
        let rows = try await pool.query(
            """
            SELECT tenant_id, surge_settings, active, calm_since, manual, events_due, channel, live, w1, w2, w3, w4, trailing_week, first_minute
            FROM kefu_surge_readings(\(since), \(now), \(SettingLimits.document)::jsonb)
            """
        )
        var sweep = Sweep()
        // Most tenants share the same few surge settings documents (usually none): decode each once.
        var settingsByText: [String: SurgeSettings] = [:]
        for row in rows {
            let tenantID = try row.decode(UUID.self, "tenant_id")
            if sweep.unreadable[tenantID] != nil { continue }
            if sweep.readings.last?.tenantID != tenantID {
                let text = try row.decode(String.self, "surge_settings")
                let settings: SurgeSettings
                do {
                    settings = try settingsByText[text] ?? decodeSettings(text)
                } catch {
                    sweep.unreadable[tenantID] = error
                    continue
                }
                settingsByText[text] = settings
                sweep.readings.append(
                    SurgeReading(
                        tenantID: tenantID,
                        settings: settings,
                        mode: SurgeModeState(
                            active: try row.decode(Bool.self, "active"),
                            calmSince: try row.decode(Date?.self, "calm_since"),
                            manual: try row.decode(Bool.self, "manual")
                        ),
                        eventsDue: try row.decode(Bool.self, "events_due"),
                        histories: [:]
                    )
                )
            }
            if let channel = try row.decode(String?.self, "channel") {
                sweep.readings[sweep.readings.count - 1].histories[channel] = try IntakeCounter.history(row)
            }
        }
        return sweep
    }

    /// A tenant's stored `surge` settings over the defaults, as `SettingsService.load` reads them.
    static func decodeSettings(_ text: String) throws -> SurgeSettings {
        let stored = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return try TenantSettings.fromStored(.object(["surge": stored])).surge
    }
}
