-- 034 webhooks and the delivery outbox (issue 15 §1–§2). What must leave Kefu is written to
-- `deliveries` in the same transaction as the change that caused it: triggers on the tables that
-- record what happened (ticket events, messages, SLA breaches, answered surveys, surge incidents)
-- insert one delivery per active webhook of the tenant subscribed to the event type. The worker
-- leases due deliveries across tenants (kefu_claim_due_deliveries), renders the body once with
-- the API's JSON encoder from the source row (`source_id`, and for breaches `source_key`), sends
-- it signed, and records each attempt; failures are retried with backoff until the delivery is
-- dead. The delivery's id is stable across attempts: receivers drop duplicates by it.

CREATE TABLE webhooks (
    tenant_id                  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                         uuid NOT NULL DEFAULT gen_random_uuid(),
    url                        text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    events                     text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
    description                text CHECK (length(description) <= 200),
    active                     boolean NOT NULL DEFAULT true,
    -- The signing secret (shown once to the admin who creates or rotates it) and, during the
    -- overlap after a rotation, the previous one, which still signs until it expires.
    secret                     text NOT NULL,
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
SELECT kefu_isolate_tenant_table('webhooks');
GRANT DELETE ON webhooks TO kefu_app;

CREATE SEQUENCE kefu_delivery_attempt_seq;
CREATE SEQUENCE kefu_delivery_failure_seq;

CREATE TABLE deliveries (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    webhook_id       uuid NOT NULL,
    event_type       text NOT NULL,
    -- The row that says what happened: a ticket event, a message, a survey or an incident by id;
    -- a breach by its ticket and `source_key` ({"clock", "due_at"}).
    source_id        uuid,
    source_key       jsonb,
    ticket_id        uuid,
    -- Rendered at the first attempt and sent unchanged by every later one (NULL until then, and
    -- again after the customer of `ticket_id` is erased: re-rendered from the erased records).
    body             text,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    claimed_until    timestamptz,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    dead_at          timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_webhook_idx ON deliveries (tenant_id, webhook_id, status);
CREATE INDEX deliveries_list_idx ON deliveries (tenant_id, created_at, id);
CREATE INDEX deliveries_status_idx ON deliveries (tenant_id, status, created_at, id);
CREATE INDEX deliveries_ticket_idx ON deliveries (tenant_id, ticket_id) WHERE ticket_id IS NOT NULL;
SELECT kefu_isolate_tenant_table('deliveries');

CREATE TABLE delivery_attempts (
    tenant_id   uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempt     integer NOT NULL,
    seq         bigint NOT NULL DEFAULT nextval('kefu_delivery_attempt_seq'),
    started_at  timestamptz NOT NULL,
    latency_ms  double precision NOT NULL,
    status_code integer,
    error       text,
    PRIMARY KEY (tenant_id, delivery_id, attempt),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id) ON DELETE CASCADE
);
SELECT kefu_isolate_tenant_table('delivery_attempts');
GRANT USAGE ON SEQUENCE kefu_delivery_attempt_seq, kefu_delivery_failure_seq TO kefu_app;

-- One delivery per active webhook of `p_tenant_id` subscribed to `p_type`.
CREATE FUNCTION kefu_enqueue_deliveries(p_tenant_id uuid, p_type text, p_source_id uuid, p_source_key jsonb,
                                        p_ticket_id uuid, p_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO deliveries (tenant_id, webhook_id, event_type, source_id, source_key, ticket_id, next_attempt_at, created_at)
    SELECT p_tenant_id, w.id, p_type, p_source_id, p_source_key, p_ticket_id, p_at, p_at
    FROM webhooks w
    WHERE w.tenant_id = p_tenant_id AND w.active AND p_type = ANY (w.events)
$$;

-- The webhook event type of a ticket event kind.
CREATE FUNCTION kefu_ticket_event_type(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_kind = 'created' THEN 'ticket.created'
                WHEN p_kind IN ('assigned', 'transferred', 'redispatched') THEN 'ticket.assigned'
                ELSE 'ticket.updated' END
$$;

CREATE FUNCTION kefu_outbox_ticket_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, kefu_ticket_event_type(NEW.kind), NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_events_outbox AFTER INSERT ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION kefu_outbox_ticket_event();

CREATE FUNCTION kefu_outbox_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'message.created', NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_messages_outbox AFTER INSERT ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION kefu_outbox_message();

CREATE FUNCTION kefu_outbox_breach() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'sla.breached', NULL,
                                    jsonb_build_object('clock', NEW.clock, 'due_at', NEW.due_at), NEW.ticket_id, NEW.detected_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sla_breaches_outbox AFTER INSERT ON ticket_sla_breaches
    FOR EACH ROW EXECUTE FUNCTION kefu_outbox_breach();

CREATE FUNCTION kefu_outbox_survey() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'survey.answered', NEW.id, NULL, NEW.ticket_id, NEW.answered_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER surveys_outbox AFTER UPDATE OF answered_at ON surveys
    FOR EACH ROW WHEN (OLD.answered_at IS NULL AND NEW.answered_at IS NOT NULL) EXECUTE FUNCTION kefu_outbox_survey();

CREATE FUNCTION kefu_outbox_incident() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'surge.started', NEW.id, NULL, NULL, NEW.started_at);
    ELSIF OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL THEN
        PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'surge.ended', NEW.id, NULL, NULL, NEW.ended_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_outbox AFTER INSERT OR UPDATE OF ended_at ON incidents
    FOR EACH ROW EXECUTE FUNCTION kefu_outbox_incident();

-- Erasing a customer (kefu_erase_customer) drops the rendered bodies of deliveries about their
-- tickets: a delivery not yet made is rendered again from the erased records.
CREATE FUNCTION kefu_erase_customer_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deliveries d SET body = NULL
    FROM tickets t
    WHERE t.tenant_id = NEW.tenant_id AND t.customer_id = NEW.id AND d.tenant_id = NEW.tenant_id AND d.ticket_id = t.id
      AND d.body IS NOT NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER customers_erase_deliveries AFTER UPDATE OF erased_at ON customers
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION kefu_erase_customer_deliveries();

-- Leases up to p_limit (at most 1,000) due deliveries for p_lease (1 second to 10 minutes), at
-- most p_per_webhook (1–10) per webhook and none of a webhook that still has a leased delivery
-- (so one endpoint is sent to by one worker lane at a time, across replicas), with what sending
-- needs. The worker's only.
CREATE FUNCTION kefu_claim_due_deliveries(p_now timestamptz, p_limit integer, p_per_webhook integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, webhook_id uuid, event_type text, attempts integer, url text,
               secret text, previous_secret text, previous_secret_expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    WITH due AS (
        SELECT d.tenant_id, d.id FROM (
            SELECT d.tenant_id, d.id, d.next_attempt_at,
                   row_number() OVER (PARTITION BY d.tenant_id, d.webhook_id ORDER BY d.next_attempt_at, d.id) AS rank
            FROM deliveries d
            WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= kefu_worker_now(p_now)
              AND (d.claimed_until IS NULL OR d.claimed_until < kefu_worker_now(p_now))
              AND NOT EXISTS (
                  SELECT 1 FROM deliveries busy
                  WHERE busy.tenant_id = d.tenant_id AND busy.webhook_id = d.webhook_id
                    AND busy.status IN ('pending', 'failed') AND busy.claimed_until >= kefu_worker_now(p_now))
        ) d
        WHERE d.rank <= least(greatest(p_per_webhook, 1), 10)
        ORDER BY d.next_attempt_at
        LIMIT least(greatest(p_limit, 0), 1000)
    ), leased AS (
        UPDATE deliveries d
        SET claimed_until = kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes')
        FROM (SELECT x.tenant_id, x.id FROM deliveries x JOIN due USING (tenant_id, id) FOR UPDATE OF x SKIP LOCKED) locked
        WHERE d.tenant_id = locked.tenant_id AND d.id = locked.id
        RETURNING d.tenant_id, d.id, d.webhook_id, d.event_type, d.attempts, d.next_attempt_at
    )
    SELECT l.tenant_id, l.id, l.webhook_id, l.event_type, l.attempts, w.url, w.secret, w.previous_secret,
           w.previous_secret_expires_at
    FROM leased l JOIN webhooks w ON w.tenant_id = l.tenant_id AND w.id = l.webhook_id
    ORDER BY l.next_attempt_at
$$;
REVOKE ALL ON FUNCTION kefu_claim_due_deliveries(timestamptz, integer, integer, interval) FROM PUBLIC, kefu_app;
GRANT EXECUTE ON FUNCTION kefu_claim_due_deliveries(timestamptz, integer, integer, interval) TO kefu_worker;

-- /metrics: deliveries by status across tenants, the age of the oldest undelivered one at
-- `p_now`, and the attempt and failure counters (sequences: monotonic, never rolled back).
CREATE FUNCTION kefu_delivery_health(p_now timestamptz)
RETURNS TABLE (pending bigint, failed bigint, dead bigint, oldest_undelivered_seconds double precision,
               attempts bigint, failures bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending'),
           (SELECT count(*) FROM deliveries WHERE status = 'failed'),
           (SELECT count(*) FROM deliveries WHERE status = 'dead'),
           (SELECT coalesce(extract(epoch FROM p_now - min(created_at)), 0)::float8 FROM deliveries WHERE status IN ('pending', 'failed')),
           (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM kefu_delivery_attempt_seq),
           (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM kefu_delivery_failure_seq)
$$;
REVOKE ALL ON FUNCTION kefu_delivery_health(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_delivery_health(timestamptz) TO kefu_app;
