import Foundation
import KefuPostgres

/// What an action needs besides the ticket: the instant, the tenant's settings and the calendar
/// of the ticket's channel.
struct TicketContext: Sendable {
    var now: Date
    var settings: TenantSettings
    var calendar: BusinessCalendar

    /// The context of an action on a ticket of `channel`, from the tenant's profile.
    init(now: Date, profile: TenantProfile, channel: TicketChannel) {
        self.init(now: now, settings: profile.settings, calendar: profile.settings.calendar(timezone: profile.timezone, channel: channel.rawValue))
    }

    init(now: Date, settings: TenantSettings, calendar: BusinessCalendar) {
        self.now = now
        self.settings = settings
        self.calendar = calendar
    }
}
