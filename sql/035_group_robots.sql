-- 035 group robots (issue 15 §3): a DingTalk, WeCom or Feishu group robot for the supervisors, a
-- department or a ticket's task force. Alerts (escalations, department blockers, SLA breaches,
-- surge start and end) go through the same outbox as webhooks (sql/034): one delivery per active
-- robot whose audience the alert concerns, written in the transaction that records it.

CREATE TABLE robots (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('dingtalk', 'wecom', 'feishu')),
    name          text CHECK (length(name) <= 200),
    url           text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    -- DingTalk's and Feishu's signing secret (WeCom's key is part of its URL).
    secret        text CHECK (length(secret) <= 200),
    audience      text NOT NULL CHECK (audience IN ('supervisors', 'department', 'task_force')),
    department_id uuid,
    team_id       uuid,
    events        text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 10),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, team_id) REFERENCES ticket_teams (tenant_id, id) ON DELETE CASCADE,
    CHECK ((audience = 'department') = (department_id IS NOT NULL)),
    CHECK ((audience = 'task_force') = (team_id IS NOT NULL))
);
SELECT kefu_isolate_tenant_table('robots');
GRANT DELETE ON robots TO kefu_app;

-- A delivery goes to a webhook or to a robot.
ALTER TABLE deliveries
    ALTER COLUMN webhook_id DROP NOT NULL,
    ADD COLUMN robot_id uuid,
    ADD FOREIGN KEY (tenant_id, robot_id) REFERENCES robots (tenant_id, id) ON DELETE CASCADE,
    ADD CHECK (num_nonnulls(webhook_id, robot_id) = 1);
CREATE INDEX deliveries_robot_idx ON deliveries (tenant_id, robot_id, status) WHERE robot_id IS NOT NULL;

-- As sql/034's, plus the robots: those subscribed to `p_type` whose audience it concerns (the
-- supervisors always; a department for its escalated tickets; a task force for its ticket).
CREATE OR REPLACE FUNCTION kefu_enqueue_deliveries(p_tenant_id uuid, p_type text, p_source_id uuid, p_source_key jsonb,
                                                   p_ticket_id uuid, p_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO deliveries (tenant_id, webhook_id, event_type, source_id, source_key, ticket_id, next_attempt_at, created_at)
    SELECT p_tenant_id, w.id, p_type, p_source_id, p_source_key, p_ticket_id, p_at, p_at
    FROM webhooks w
    WHERE w.tenant_id = p_tenant_id AND w.active AND p_type = ANY (w.events);
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

-- Ticket events: as sql/034, plus the robot alerts of escalations and department blockers.
CREATE OR REPLACE FUNCTION kefu_outbox_ticket_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kefu_enqueue_deliveries(NEW.tenant_id, kefu_ticket_event_type(NEW.kind), NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    IF NEW.kind IN ('escalated', 'escalated_to_supervisor') THEN
        PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'ticket.escalated', NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    ELSIF NEW.kind = 'department_blocked' THEN
        PERFORM kefu_enqueue_deliveries(NEW.tenant_id, 'department.blocked', NEW.id, NULL, NEW.ticket_id, NEW.created_at);
    END IF;
    RETURN NULL;
END
$$;

-- As sql/034's claim, for webhooks and robots alike: what sending needs, by target kind.
DROP FUNCTION kefu_claim_due_deliveries(timestamptz, integer, integer, interval);
CREATE FUNCTION kefu_claim_due_deliveries(p_now timestamptz, p_limit integer, p_per_target integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, target_id uuid, target_kind text, event_type text, attempts integer, url text,
               secret text, previous_secret text, previous_secret_expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    WITH due AS (
        SELECT d.tenant_id, d.id FROM (
            SELECT d.tenant_id, d.id, d.next_attempt_at,
                   row_number() OVER (PARTITION BY d.tenant_id, coalesce(d.webhook_id, d.robot_id) ORDER BY d.next_attempt_at, d.id) AS rank
            FROM deliveries d
            WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= kefu_worker_now(p_now)
              AND (d.claimed_until IS NULL OR d.claimed_until < kefu_worker_now(p_now))
              AND NOT EXISTS (
                  SELECT 1 FROM deliveries busy
                  WHERE busy.tenant_id = d.tenant_id AND coalesce(busy.webhook_id, busy.robot_id) = coalesce(d.webhook_id, d.robot_id)
                    AND busy.status IN ('pending', 'failed') AND busy.claimed_until >= kefu_worker_now(p_now))
        ) d
        WHERE d.rank <= least(greatest(p_per_target, 1), 10)
        ORDER BY d.next_attempt_at
        LIMIT least(greatest(p_limit, 0), 1000)
    ), leased AS (
        UPDATE deliveries d
        SET claimed_until = kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes')
        FROM (SELECT x.tenant_id, x.id FROM deliveries x JOIN due USING (tenant_id, id) FOR UPDATE OF x SKIP LOCKED) locked
        WHERE d.tenant_id = locked.tenant_id AND d.id = locked.id
        RETURNING d.tenant_id, d.id, d.webhook_id, d.robot_id, d.event_type, d.attempts, d.next_attempt_at
    )
    SELECT l.tenant_id, l.id, coalesce(l.webhook_id, l.robot_id), coalesce(r.kind, 'webhook'), l.event_type, l.attempts,
           coalesce(w.url, r.url), coalesce(w.secret, r.secret), w.previous_secret, w.previous_secret_expires_at
    FROM leased l
    LEFT JOIN webhooks w ON w.tenant_id = l.tenant_id AND w.id = l.webhook_id
    LEFT JOIN robots r ON r.tenant_id = l.tenant_id AND r.id = l.robot_id
    ORDER BY l.next_attempt_at
$$;
REVOKE ALL ON FUNCTION kefu_claim_due_deliveries(timestamptz, integer, integer, interval) FROM PUBLIC, kefu_app;
GRANT EXECUTE ON FUNCTION kefu_claim_due_deliveries(timestamptz, integer, integer, interval) TO kefu_worker;
