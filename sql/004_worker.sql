-- 004 worker: durable timers, the notifications outbox, satisfaction surveys, QA follow-ups,
-- problem reports, and read-only archived tickets.

-- One timer per ticket and kind. Ticket actions re-arm or disarm them in the same transaction
-- as the change; the worker claims due ones and marks them done in the transaction of the action
-- it takes, so every action happens exactly once. The ticket row stays the source of truth:
-- a timer that fires early (its clock moved) re-checks and re-arms.
CREATE TABLE ticket_timers (
    tenant_id     uuid NOT NULL,
    ticket_id     uuid NOT NULL,
    kind          text NOT NULL,
    due_at        timestamptz NOT NULL,
    done_at       timestamptz,
    claimed_until timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    PRIMARY KEY (tenant_id, ticket_id, kind),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);
-- The sweep reads only pending timers: nothing due costs one index probe, whatever the table size.
CREATE INDEX ticket_timers_due_idx ON ticket_timers (due_at) WHERE done_at IS NULL;

-- Work for people: escalations to supervisors, reminders to owners, QA follow-ups.
CREATE TABLE notifications (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    recipient_id uuid NOT NULL,
    kind         text NOT NULL,
    ticket_id    uuid,
    message      text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    read_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, recipient_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_recipient_idx ON notifications (tenant_id, recipient_id, created_at, id);
CREATE INDEX notifications_list_idx ON notifications (tenant_id, created_at, id);

-- Satisfaction surveys: the token is the customer's single-use link, valid 24 h by default.
CREATE TABLE surveys (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id       uuid NOT NULL,
    token           text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    expired_at      timestamptz,
    overall         smallint CHECK (overall BETWEEN 1 AND 5),
    timeliness      smallint CHECK (timeliness BETWEEN 1 AND 5),
    professionalism smallint CHECK (professionalism BETWEEN 1 AND 5),
    resolution      smallint CHECK (resolution BETWEEN 1 AND 5),
    attitude        smallint CHECK (attitude BETWEEN 1 AND 5),
    comment         text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX surveys_token_idx ON surveys (token);
CREATE INDEX surveys_ticket_idx ON surveys (tenant_id, ticket_id, created_at);

-- A short follow-up call by QA after complaints and for high-value customers.
CREATE TABLE followups (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id    uuid NOT NULL,
    assignee_id  uuid,
    due_at       timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    completed_at timestamptz,
    solved       boolean,
    satisfied    boolean,
    notes        text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, ticket_id, created_at),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES agents (tenant_id, id)
);
CREATE INDEX followups_open_idx ON followups (tenant_id, assignee_id, due_at) WHERE completed_at IS NULL;

-- A recurring problem: the same leaf tag resolved often in a week becomes a feedback form.
CREATE TABLE problem_reports (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    tag_id        uuid NOT NULL,
    week_start    date NOT NULL,
    ticket_count  integer NOT NULL,
    department_id uuid,
    due_at        timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, tag_id, week_start),
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['ticket_timers', 'notifications', 'surveys', 'followups', 'problem_reports']::regclass[]) AS t;

-- The worker runs as the application role and cannot see across tenants. This function (owner
-- rights) leases up to p_limit due timers for p_lease and says which tenant each belongs to;
-- the worker then acts on each inside that tenant's scope.
-- JIT is off: planned without knowing p_now, the UPDATE looks expensive on a large timers table
-- and would be JIT-compiled on every call (~8 ms) to do a few index probes (~0.2 ms).
CREATE FUNCTION kefu_claim_due_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, ticket_id uuid, kind text, due_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    UPDATE ticket_timers t SET claimed_until = p_now + p_lease, attempts = t.attempts + 1
    FROM (
        SELECT tenant_id, ticket_id, kind FROM ticket_timers
        WHERE done_at IS NULL AND due_at <= p_now AND (claimed_until IS NULL OR claimed_until < p_now)
        ORDER BY due_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE t.tenant_id = due.tenant_id AND t.ticket_id = due.ticket_id AND t.kind = due.kind
    RETURNING t.tenant_id, t.ticket_id, t.kind, t.due_at
$$;
REVOKE ALL ON FUNCTION kefu_claim_due_timers(timestamptz, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_claim_due_timers(timestamptz, integer, interval) TO kefu_app;

-- Resolves a survey token (the customer has no API key) to its tenant.
CREATE FUNCTION kefu_survey_tenant(p_token text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM surveys WHERE token = p_token $$;
REVOKE ALL ON FUNCTION kefu_survey_tenant(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_survey_tenant(text) TO kefu_app;

-- Archived tickets are read-only, enforced here and not only in code. Deleting a whole tenant
-- (operators, `kefu tenant delete`) is the one exception.
CREATE FUNCTION kefu_protect_archived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kefu.deleting_tenant', true) = OLD.tenant_id::text THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF OLD.status = 'archived' THEN
        RAISE EXCEPTION 'ticket % is archived and read-only', OLD.number USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER tickets_archived_read_only BEFORE UPDATE OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION kefu_protect_archived();

CREATE FUNCTION kefu_protect_archived_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tickets WHERE tenant_id = NEW.tenant_id AND id = NEW.ticket_id AND status = 'archived') THEN
        RAISE EXCEPTION 'ticket is archived and read-only' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ticket_messages_archived_read_only BEFORE INSERT ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION kefu_protect_archived_children();
CREATE TRIGGER ticket_tags_archived_read_only BEFORE INSERT OR UPDATE ON ticket_tags
    FOR EACH ROW EXECUTE FUNCTION kefu_protect_archived_children();
