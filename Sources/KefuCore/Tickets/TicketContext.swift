import Foundation
import KefuPostgres

/// What an action needs besides the ticket: the instant, the tenant's settings, its SLA policies
/// and the calendar of the ticket's channel (its service hours).
struct TicketContext: Sendable {
    var now: Date
    var settings: TenantSettings
    /// The channel's service hours: the tenant's business hours, or around the clock for a channel
    /// in `always_open_channels`. Archiving, department deadlines and out-of-hours texts count on it.
    var calendar: BusinessCalendar
    var policies: SLAPolicies
    /// The customer texts in the tenant's language and time zone, with its overrides.
    var texts: CustomerTexts

    /// The context of an action on a ticket of `channel`, from the tenant's profile and policies.
    init(now: Date, profile: TenantProfile, policies: SLAPolicies, templates: [TemplateOverride], channel: TicketChannel) {
        self.init(
            now: now,
            settings: profile.settings,
            calendar: profile.settings.calendar(timezone: profile.timezone, channel: channel.rawValue),
            policies: policies,
            templates: templates
        )
        texts.logger[metadataKey: "tenant.id"] = "\(profile.id)"
    }

    init(now: Date, settings: TenantSettings, calendar: BusinessCalendar, policies: SLAPolicies = .defaults, templates: [TemplateOverride] = []) {
        self.now = now
        self.settings = settings
        self.calendar = calendar
        self.policies = policies
        self.texts = CustomerTexts(settings: settings, timezone: calendar.timezone, stored: templates)
    }

    /// The policy a ticket of `priority` from a customer of `segment` follows.
    func policy(_ priority: TicketPriority, _ segment: CustomerSegment?) -> SLAPolicy {
        policies.policy(for: priority, segment: segment)
    }

    /// The policy `ticket` follows now.
    func policy(of ticket: Ticket) -> SLAPolicy {
        policy(ticket.priority, ticket.slaSegment)
    }

    /// The calendar the clocks of `policy` count on for this channel: around the clock when the
    /// policy says 24x7 or the channel is served around the clock, else the business hours.
    func clockCalendar(_ policy: SLAPolicy) -> BusinessCalendar {
        policy.clockCalendar(over: calendar)
    }
}
