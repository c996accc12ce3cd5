import Foundation
import KefuPostgres

extension Ticket {
    /// The columns of `TicketStore.columns`, in order: the properties' snake_case names in
    /// declaration order.
    static let columnNames = [
        "id", "tenant_id", "number", "reference", "customer_id", "contact", "channel", "subject", "description", "attachments", "occurred_at",
        "expected_resolution_at", "expected_resolution_defaulted", "category", "priority", "sla_segment", "status", "skill", "tier", "owner_id",
        "first_owner_id", "department_id", "department_due_at", "tag_ids", "solution_summary", "solution_options", "compensation", "auto_reply",
        "human_available_at", "reopen_count", "created_at", "acknowledged_at", "assigned_at", "first_response_at", "plan_at", "last_public_update_at",
        "resolved_at", "closed_at", "archived_at", "updated_at", "acknowledgement_due_at", "channel_response_due_at", "first_response_due_at",
        "plan_due_at", "progress_due_at", "resolution_due_at", "sla_paused_at", "breached", "suggested_article_ids",
        "info_request_due_at", "info_requested_at", "department_notify_due_at", "department_acked_at",
        "blocker_report_due_at", "blocker_reported_at", "solution_ready_at", "solution_handback_due_at",
        "customer_contact_due_at", "customer_contacted_at", "close_reason", "merged_into",
    ]

    /// Reads a row of `TicketStore.columns` by position; rows of any other shape go through
    /// `Decodable`.
    init(row: PostgresRow) throws {
        self = try row.columns.names == Self.columnNames ? Ticket(positional: row) : row.decode(Ticket.self)
    }

    /// The tickets of a result's rows, which share one set of columns: the shape is checked
    /// once, then every row is read by position (queue pages decode 50 per request, and the
    /// by-name `Decodable` path cost more CPU than the query).
    static func all(_ rows: [PostgresRow]) throws -> [Ticket] {
        guard let first = rows.first, first.columns.names == columnNames else { return try rows.map { try $0.decode(Ticket.self) } }
        return try rows.map(Ticket.init(positional:))
    }

    private init(positional row: PostgresRow) throws {
        id = try row.decode(at: 0)
        tenantId = try row.decode(at: 1)
        number = try row.decode(at: 2)
        reference = try row.decode(at: 3)
        customerId = try row.decode(at: 4)
        contact = try row.decode(at: 5)
        channel = try row.decodeRaw(at: 6)
        subject = try row.decode(at: 7)
        description = try row.decode(at: 8)
        attachments = try row.decodeJSON(at: 9) ?? []
        occurredAt = try row.decode(at: 10)
        expectedResolutionAt = try row.decode(at: 11)
        expectedResolutionDefaulted = try row.decode(at: 12)
        category = try row.decodeRaw(at: 13)
        priority = try row.decodeRaw(at: 14)
        slaSegment = try row.decodeRaw(CustomerSegment?.self, at: 15)
        status = try row.decodeRaw(at: 16)
        skill = try row.decode(at: 17)
        tier = try row.decodeRaw(AgentTier?.self, at: 18)
        ownerId = try row.decode(at: 19)
        firstOwnerId = try row.decode(at: 20)
        departmentId = try row.decode(at: 21)
        departmentDueAt = try row.decode(at: 22)
        tagIds = try row.decode(at: 23)
        solutionSummary = try row.decode(at: 24)
        solutionOptions = try row.decodeJSON(at: 25) ?? []
        compensation = try row.decodeJSON(at: 26)
        autoReply = try row.decode(at: 27)
        humanAvailableAt = try row.decode(at: 28)
        reopenCount = try row.decode(at: 29)
        createdAt = try row.decode(at: 30)
        acknowledgedAt = try row.decode(at: 31)
        assignedAt = try row.decode(at: 32)
        firstResponseAt = try row.decode(at: 33)
        planAt = try row.decode(at: 34)
        lastPublicUpdateAt = try row.decode(at: 35)
        resolvedAt = try row.decode(at: 36)
        closedAt = try row.decode(at: 37)
        archivedAt = try row.decode(at: 38)
        updatedAt = try row.decode(at: 39)
        acknowledgementDueAt = try row.decode(at: 40)
        channelResponseDueAt = try row.decode(at: 41)
        firstResponseDueAt = try row.decode(at: 42)
        planDueAt = try row.decode(at: 43)
        progressDueAt = try row.decode(at: 44)
        resolutionDueAt = try row.decode(at: 45)
        slaPausedAt = try row.decode(at: 46)
        breached = try row.decode(at: 47)
        suggestedArticleIds = try row.decode(at: 48)
        infoRequestDueAt = try row.decode(at: 49)
        infoRequestedAt = try row.decode(at: 50)
        departmentNotifyDueAt = try row.decode(at: 51)
        departmentAckedAt = try row.decode(at: 52)
        blockerReportDueAt = try row.decode(at: 53)
        blockerReportedAt = try row.decode(at: 54)
        solutionReadyAt = try row.decode(at: 55)
        solutionHandbackDueAt = try row.decode(at: 56)
        customerContactDueAt = try row.decode(at: 57)
        customerContactedAt = try row.decode(at: 58)
        closeReason = try row.decodeRaw(TicketCloseReason?.self, at: 59)
        mergedInto = try row.decode(at: 60)
    }
}

extension Ticket: JSONWritable {
    /// The document of the synthesized `Encodable`, field for field (queue pages write 50 of these).
    public func writeJSON(to writer: inout JSONWriter) throws {
        writer.beginObject()
        try writeMembers(to: &writer)
        writer.endObject()
    }

    /// The members of the ticket's object, for documents that extend it (a search hit).
    func writeMembers(to writer: inout JSONWriter) throws {
        writer.field("id", id)
        writer.field("tenant_id", tenantId)
        writer.field("number", number)
        writer.field("reference", reference)
        writer.field("customer_id", customerId)
        writer.field("contact", contact)
        writer.field("channel", channel)
        writer.field("subject", subject)
        writer.field("description", description)
        writer.field("attachments", attachments)
        writer.field("occurred_at", occurredAt)
        writer.field("expected_resolution_at", expectedResolutionAt)
        writer.field("expected_resolution_defaulted", expectedResolutionDefaulted)
        writer.field("category", category)
        writer.field("priority", priority)
        writer.field("sla_segment", slaSegment)
        writer.field("status", status)
        writer.field("skill", skill)
        writer.field("tier", tier)
        writer.field("owner_id", ownerId)
        writer.field("first_owner_id", firstOwnerId)
        writer.field("department_id", departmentId)
        writer.field("department_due_at", departmentDueAt)
        writer.field("tag_ids", tagIds)
        writer.field("solution_summary", solutionSummary)
        writer.field("solution_options", solutionOptions)
        try writer.field("compensation", encoding: compensation)
        writer.field("auto_reply", autoReply)
        writer.field("human_available_at", humanAvailableAt)
        writer.field("reopen_count", reopenCount)
        writer.field("created_at", createdAt)
        writer.field("acknowledged_at", acknowledgedAt)
        writer.field("assigned_at", assignedAt)
        writer.field("first_response_at", firstResponseAt)
        writer.field("plan_at", planAt)
        writer.field("last_public_update_at", lastPublicUpdateAt)
        writer.field("resolved_at", resolvedAt)
        writer.field("closed_at", closedAt)
        writer.field("archived_at", archivedAt)
        writer.field("updated_at", updatedAt)
        writer.field("acknowledgement_due_at", acknowledgementDueAt)
        writer.field("channel_response_due_at", channelResponseDueAt)
        writer.field("first_response_due_at", firstResponseDueAt)
        writer.field("plan_due_at", planDueAt)
        writer.field("progress_due_at", progressDueAt)
        writer.field("resolution_due_at", resolutionDueAt)
        writer.field("sla_paused_at", slaPausedAt)
        writer.field("breached", breached)
        writer.field("suggested_article_ids", suggestedArticleIds)
        writer.field("info_request_due_at", infoRequestDueAt)
        writer.field("info_requested_at", infoRequestedAt)
        writer.field("department_notify_due_at", departmentNotifyDueAt)
        writer.field("department_acked_at", departmentAckedAt)
        writer.field("blocker_report_due_at", blockerReportDueAt)
        writer.field("blocker_reported_at", blockerReportedAt)
        writer.field("solution_ready_at", solutionReadyAt)
        writer.field("solution_handback_due_at", solutionHandbackDueAt)
        writer.field("customer_contact_due_at", customerContactDueAt)
        writer.field("customer_contacted_at", customerContactedAt)
        writer.field("close_reason", closeReason)
        writer.field("merged_into", mergedInto)
    }
}
