import Foundation
import KefuPostgres

extension Ticket {
    /// The columns of `TicketStore.columns`, in order: the properties' snake_case names in
    /// declaration order.
    static let columnNames = [
        "id", "tenant_id", "number", "reference", "customer_id", "contact", "channel", "subject", "description",
        "attachments", "occurred_at", "expected_resolution_at", "category", "priority", "status", "skill", "tier",
        "owner_id", "first_owner_id", "department_id", "department_due_at", "tag_ids", "solution_summary",
        "solution_options", "compensation", "auto_reply", "human_available_at", "reopen_count", "created_at",
        "assigned_at", "first_response_at", "plan_at", "last_public_update_at", "resolved_at", "closed_at",
        "archived_at", "updated_at", "channel_response_due_at", "first_response_due_at", "plan_due_at",
        "progress_due_at", "resolution_due_at", "sla_paused_at", "breached", "suggested_article_ids", "close_reason",
        "merged_into",
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
        category = try row.decodeRaw(at: 12)
        priority = try row.decodeRaw(at: 13)
        status = try row.decodeRaw(at: 14)
        skill = try row.decode(at: 15)
        tier = try row.decodeRaw(AgentTier?.self, at: 16)
        ownerId = try row.decode(at: 17)
        firstOwnerId = try row.decode(at: 18)
        departmentId = try row.decode(at: 19)
        departmentDueAt = try row.decode(at: 20)
        tagIds = try row.decode(at: 21)
        solutionSummary = try row.decode(at: 22)
        solutionOptions = try row.decodeJSON(at: 23) ?? []
        compensation = try row.decodeJSON(at: 24)
        autoReply = try row.decode(at: 25)
        humanAvailableAt = try row.decode(at: 26)
        reopenCount = try row.decode(at: 27)
        createdAt = try row.decode(at: 28)
        assignedAt = try row.decode(at: 29)
        firstResponseAt = try row.decode(at: 30)
        planAt = try row.decode(at: 31)
        lastPublicUpdateAt = try row.decode(at: 32)
        resolvedAt = try row.decode(at: 33)
        closedAt = try row.decode(at: 34)
        archivedAt = try row.decode(at: 35)
        updatedAt = try row.decode(at: 36)
        channelResponseDueAt = try row.decode(at: 37)
        firstResponseDueAt = try row.decode(at: 38)
        planDueAt = try row.decode(at: 39)
        progressDueAt = try row.decode(at: 40)
        resolutionDueAt = try row.decode(at: 41)
        slaPausedAt = try row.decode(at: 42)
        breached = try row.decode(at: 43)
        suggestedArticleIds = try row.decode(at: 44)
        closeReason = try row.decodeRaw(TicketCloseReason?.self, at: 45)
        mergedInto = try row.decode(at: 46)
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
        writer.field("category", category)
        writer.field("priority", priority)
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
        writer.field("assigned_at", assignedAt)
        writer.field("first_response_at", firstResponseAt)
        writer.field("plan_at", planAt)
        writer.field("last_public_update_at", lastPublicUpdateAt)
        writer.field("resolved_at", resolvedAt)
        writer.field("closed_at", closedAt)
        writer.field("archived_at", archivedAt)
        writer.field("updated_at", updatedAt)
        writer.field("channel_response_due_at", channelResponseDueAt)
        writer.field("first_response_due_at", firstResponseDueAt)
        writer.field("plan_due_at", planDueAt)
        writer.field("progress_due_at", progressDueAt)
        writer.field("resolution_due_at", resolutionDueAt)
        writer.field("sla_paused_at", slaPausedAt)
        writer.field("breached", breached)
        writer.field("suggested_article_ids", suggestedArticleIds)
        writer.field("close_reason", closeReason)
        writer.field("merged_into", mergedInto)
    }
}
