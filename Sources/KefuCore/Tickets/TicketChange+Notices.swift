import Foundation

/// Customer texts that come with an action besides its own message, rendered from the tenant's
/// templates (`context.texts`) and recorded as public messages: the progress notice, the survey
/// invitation and the plan confirmation request.
extension TicketChange {
    /// A progress notice: a public update like a reply (the first one is the first response; each
    /// meets the progress clock and re-arms it), its text naming the re-armed due time as the
    /// latest next update. While the clocks are paused (waiting on the customer) no time is named:
    /// the clock counts again only when the customer answers.
    mutating func notifyProgress(_ note: String?, next: TicketStatus, by actor: TicketActor, context: TicketContext) {
        publicUpdate(context)
        let nextUpdate = ticket.slaPausedAt == nil ? ticket.progressDueAt.map(context.texts.time) : nil
        say(
            actor,
            .public,
            context.texts.render(.progressNotice, ["ticket_reference": ticket.reference, "note": note, "next_update": nextUpdate])
        )
        setStatus(next, by: actor, kind: "progress_notified")
    }

    /// At resolution the satisfaction survey opens (`AfterResolution`): the customer is invited to
    /// rate the service before it closes. The survey's token is never part of the text.
    mutating func inviteToSurvey(_ context: TicketContext) {
        let deadline = context.settings.survey.closes(after: at)
        say(
            .system,
            .public,
            context.texts.render(.surveyInvitation, ["ticket_reference": ticket.reference, "deadline": context.texts.time(deadline)])
        )
    }

    /// `plan` is ready for the customer's confirmation (proposed without approval, or approved):
    /// they are told its measures, completion time and compensation, and asked to confirm.
    mutating func askToConfirm(_ plan: TicketPlan, _ context: TicketContext) {
        let text = context.texts.render(
            .planConfirmation,
            [
                "ticket_reference": ticket.reference, "measures": plan.measures,
                "complete_by": plan.completeBy.map(context.texts.time), "compensation": plan.compensation.map(context.texts.compensation),
            ]
        )
        say(.system, .public, text)
    }
}
