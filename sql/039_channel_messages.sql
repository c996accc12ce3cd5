-- 039 chat and app messages in (issue 15 §5). A channel gateway (a chat widget, an app, a
-- social-platform bridge) posts each customer message once per platform message id; the message
-- is appended to the customer's open conversation on that channel or opens a ticket. Replies go
-- back through the gateway's webhook: `reply.created` is what the customer must receive (a public
-- message by an agent or by the system), and a webhook bound to a channel hears only of tickets on
-- that channel.

-- One row per platform message taken in: the idempotency record, written in the transaction that
-- appends the message, so a retried post finds it and nothing is appended twice.
CREATE TABLE channel_messages (
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    channel             text NOT NULL CHECK (channel IN ('chat', 'in_app', 'social', 'community')),
    platform_message_id text NOT NULL CHECK (length(platform_message_id) BETWEEN 1 AND 200),
    ticket_id           uuid NOT NULL,
    message_id          uuid NOT NULL,
    opened_ticket       boolean NOT NULL,
    received_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, channel, platform_message_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, message_id) REFERENCES ticket_messages (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX channel_messages_ticket_idx ON channel_messages (tenant_id, ticket_id);
SELECT kefu_isolate_tenant_table('channel_messages');

-- A gateway's webhook: bound to one channel, it hears only of that channel's tickets.
ALTER TABLE webhooks ADD COLUMN channel text CHECK (channel IN ('chat', 'in_app', 'social', 'community'));

-- As sql/035's, with a channel-bound webhook hearing only of tickets on its channel.
CREATE OR REPLACE FUNCTION kefu_enqueue_deliveries(p_tenant_id uuid, p_type text, p_source_id uuid, p_source_key jsonb,
                                                   p_ticket_id uuid, p_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO deliveries (tenant_id, webhook_id, event_type, source_id, source_key, ticket_id, next_attempt_at, created_at)
    SELECT p_tenant_id, w.id, p_type, p_source_id, p_source_key, p_ticket_id, p_at, p_at
    FROM webhooks w
    WHERE w.tenant_id = p_tenant_id AND w.active AND p_type = ANY (w.events)
      AND (w.channel IS NULL OR EXISTS (
               SELECT 1 FROM tickets t WHERE t.tenant_id = p_tenant_id AND t.id = p_ticket_id AND t.channel = w.channel));
    INSERT INTO deliveries (tenant_id, robot_id, event_type, source_id, source_key, ticket_id, next_attempt_at, created_at)
    SELECT p_tenant_id, r.id, p_type, p_source_id, p_source_key, p_ticket_id, p_at, p_at
    FROM robots r
    WHERE r.tenant_id = p_tenant_id AND r.active AND p_type = ANY (r.events)
      AND (r.audience = 'supervisors'
           OR (r.audience = 'department' AND EXISTS (
                   SELECT 1 FROM tickets t WHERE t.tenant_id = p_tenant_id AND t.id = p_ticket_id AND t.department_id = r.department_id))
           OR (r.audience = 'task_force' AND EXISTS (
                   SELECT 1 FROM ticket_teams m
                   WHERE m.tenant_id = p_tenant_id AND m.id = r.team_id AND m.ticket_id = p_ticket_id AND m.disbanded_at IS NULL)));
$$;

-- `reply.created`: a public message by an agent or by the system, what the customer must receive.
CREATE FUNCTION kefu_outbox_reply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'reply.created', NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_messages_outbox_reply AFTER INSERT ON ticket_messages
    FOR EACH ROW WHEN (NEW.visibility = 'public' AND NEW.author_kind <> 'customer') EXECUTE FUNCTION kefu_outbox_reply();

-- Part of an archived ticket's record (sql/017).
CREATE TRIGGER channel_messages_archived_frozen BEFORE UPDATE OR DELETE ON channel_messages
    FOR EACH ROW EXECUTE FUNCTION kefu_freeze_archived_children();
