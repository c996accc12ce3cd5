-- 012 worker batches: a claimed batch of SLA-clock timers is acted on in one transaction of two
-- statements instead of one transaction of ~11 statements per timer.

-- An instant as the JSON text the application writes in events (KefuJSON.format): UTC, milliseconds.
CREATE FUNCTION kefu_json_instant(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- Why a function with owner rights (and not one transaction per tenant as the application
-- role): a claimed batch is ordered by due time, so it mixes tenants — in the 10,000-action
-- benchmark (1,002 tenants) a batch of 200 timers spans ~200 tenants, and "one transaction per
-- tenant" degenerates into one transaction per timer, which pgbench capped at ~1,100–1,300/s
-- even in 2 round trips. This function is the same trust boundary as kefu_claim_due_timers
-- (which already reads every tenant's timers), and it is kept narrow:
--   * it takes no tenant or ticket data from the caller except the claimed timers' keys; a key
--     that is not a pending, due SLA timer is ignored (a tenant id paired with another tenant's
--     ticket matches no timer: the timer's foreign key ties both);
--   * every row it reads is joined on the timer's tenant_id, and every row it writes takes its
--     tenant_id from the timer's own row;
--   * it does only what the rules say for a due SLA clock (the same checks the ticket makes
--     when the clock is re-read: met, paused, moved), so calling it again changes nothing;
--   * it is owned by the owner role, runs with a fixed search_path, and only kefu_app may
--     EXECUTE it.
--
-- Exactly once is kept as per timer: the whole batch is one transaction (a killed worker rolls
-- it all back), the tickets are locked first in key order (the order ticket actions use:
-- ticket, then its timers; two batches sharing a ticket cannot deadlock), then the timers are
-- locked and re-checked on their latest version (done_at IS NULL AND due_at <= p_now), so a
-- timer another worker finished, or a clock met meanwhile, is left alone.
--
-- The clock rules mirror TicketTimers.clock (Swift, Sources/KefuCore/Timers/TicketTimers.swift):
--   channel_response, first_response: open, not paused, no first response yet;
--   plan: open, not paused, no plan yet;  progress: open, not paused;
--   department: status escalated;  resolution: open.
-- A running clock whose due instant is past is a breach: recorded once (ON CONFLICT DO NOTHING;
-- the ticket flagged and an sla_breached event when new), escalated to the tenant's on-duty
-- supervisors (none on duty: every active supervisor; none: the admins), the owner reminded for
-- progress and department clocks, and an sla_escalated event. A running clock whose due instant
-- moved into the future re-arms its timer there; a stopped clock just finishes its timer.
--
-- Returns how many timers were finished (performed) and re-armed (rescheduled); the rest of the
-- keys passed were not pending any more (skipped). JIT is off as for the claim: 200-row batches
-- over big tables are estimated above jit_above_cost and compiling costs more than running.
CREATE FUNCTION kefu_act_on_sla_timers(p_now timestamptz, p_tenant_ids uuid[], p_ticket_ids uuid[], p_kinds text[])
RETURNS TABLE (performed integer, rescheduled integer)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    -- 1. Lock the tickets of the claimed SLA timers, in key order.
    SELECT count(*) FROM (
        SELECT 1 FROM tickets t
        WHERE (t.tenant_id, t.id) IN (
            SELECT c.tenant_id, c.ticket_id FROM unnest(p_tenant_ids, p_ticket_ids, p_kinds) AS c(tenant_id, ticket_id, kind)
            WHERE c.kind LIKE 'sla:%')
        ORDER BY t.tenant_id, t.id
        FOR UPDATE OF t
    ) locked;

    -- 2. Act (a new snapshot: the tickets as they are now that they are locked).
    WITH due AS MATERIALIZED (
        SELECT tt.tenant_id, tt.ticket_id, tt.kind, substr(tt.kind, 5) AS clock
        FROM ticket_timers tt
        JOIN (SELECT DISTINCT c.tenant_id, c.ticket_id, c.kind
              FROM unnest(p_tenant_ids, p_ticket_ids, p_kinds) AS c(tenant_id, ticket_id, kind)) c
          ON tt.tenant_id = c.tenant_id AND tt.ticket_id = c.ticket_id AND tt.kind = c.kind
        WHERE tt.kind LIKE 'sla:%' AND tt.done_at IS NULL AND tt.due_at <= p_now
        ORDER BY tt.tenant_id, tt.ticket_id, tt.kind
        FOR UPDATE OF tt
    ), clocks AS MATERIALIZED (
        SELECT d.tenant_id, d.ticket_id, d.kind, d.clock, t.priority, t.owner_id,
               'T-' || CASE WHEN t.number < 1000000 THEN lpad(t.number::text, 6, '0') ELSE t.number::text END AS reference,
               CASE d.clock
                   WHEN 'channel_response' THEN t.channel_response_due_at
                   WHEN 'first_response' THEN t.first_response_due_at
                   WHEN 'plan' THEN t.plan_due_at
                   WHEN 'progress' THEN t.progress_due_at
                   WHEN 'department' THEN t.department_due_at
                   WHEN 'resolution' THEN t.resolution_due_at
               END AS due_at,
               CASE d.clock
                   WHEN 'channel_response' THEN open AND t.sla_paused_at IS NULL AND t.first_response_at IS NULL
                   WHEN 'first_response' THEN open AND t.sla_paused_at IS NULL AND t.first_response_at IS NULL
                   WHEN 'plan' THEN open AND t.sla_paused_at IS NULL AND t.plan_at IS NULL
                   WHEN 'progress' THEN open AND t.sla_paused_at IS NULL
                   WHEN 'department' THEN t.status = 'escalated'
                   WHEN 'resolution' THEN open
                   ELSE false
               END AS running
        FROM due d
        JOIN tickets t ON t.tenant_id = d.tenant_id AND t.id = d.ticket_id
        CROSS JOIN LATERAL (SELECT t.status IN ('new', 'assigned', 'in_progress', 'waiting_on_customer', 'escalated') AS open) o
    ), missed AS MATERIALIZED (
        SELECT * FROM clocks WHERE running AND due_at <= p_now
    ), moved AS (
        SELECT * FROM clocks WHERE running AND due_at > p_now
    ), supervisors AS MATERIALIZED (
        SELECT tenant_id, id, created_at, count(*) OVER (PARTITION BY tenant_id) AS n FROM (
            SELECT a.tenant_id, a.id, a.created_at, r.rank, min(r.rank) OVER (PARTITION BY a.tenant_id) AS best
            FROM agents a
            CROSS JOIN LATERAL (SELECT CASE WHEN a.role = 'supervisor' AND a.duty_status = 'on_duty' THEN 1
                                            WHEN a.role = 'supervisor' THEN 2 ELSE 3 END AS rank) r
            WHERE a.tenant_id IN (SELECT tenant_id FROM missed) AND a.active AND a.role IN ('supervisor', 'admin')
        ) ranked
        WHERE rank = best
    ), breach AS (
        INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
        SELECT tenant_id, ticket_id, clock, due_at, NULL, p_now, extract(epoch FROM p_now - due_at) FROM missed
        ON CONFLICT DO NOTHING
        RETURNING tenant_id, ticket_id, clock, due_at, late_seconds
    ), flagged AS (
        UPDATE tickets t SET breached = true
        FROM (SELECT DISTINCT tenant_id, ticket_id FROM breach) b
        WHERE t.tenant_id = b.tenant_id AND t.id = b.ticket_id AND NOT t.breached
    ), events AS (
        -- One INSERT, ordered, so each ticket's sla_breached comes before its sla_escalated.
        INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
        SELECT tenant_id, ticket_id, 'system', kind, after, p_now FROM (
            SELECT b.tenant_id, b.ticket_id, b.clock, 1 AS step, 'sla_breached' AS kind,
                   jsonb_build_object('clock', b.clock, 'due_at', kefu_json_instant(b.due_at), 'met_at', NULL,
                                      'late_seconds', b.late_seconds) AS after
            FROM breach b
            UNION ALL
            SELECT m.tenant_id, m.ticket_id, m.clock, 2, 'sla_escalated',
                   jsonb_build_object('clock', m.clock, 'due_at', kefu_json_instant(m.due_at),
                                      'supervisors', COALESCE((SELECT max(s.n) FROM supervisors s WHERE s.tenant_id = m.tenant_id), 0))
            FROM missed m
        ) e
        ORDER BY tenant_id, ticket_id, clock, step
    ), notified AS (
        INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
        SELECT tenant_id, recipient_id, kind, ticket_id, message, p_now FROM (
            SELECT m.tenant_id, m.ticket_id, m.clock, 1 AS step, s.created_at, s.id AS recipient_id, 'sla_breach' AS kind,
                   format('%s (%s) missed its %s target', m.reference, m.priority, replace(m.clock, '_', ' ')) AS message
            FROM missed m JOIN supervisors s ON s.tenant_id = m.tenant_id
            UNION ALL
            SELECT m.tenant_id, m.ticket_id, m.clock, 2, NULL, m.owner_id,
                   CASE m.clock WHEN 'progress' THEN 'progress_reminder' ELSE 'department_overdue' END,
                   CASE m.clock WHEN 'progress' THEN format('%s: the customer is due a progress update', m.reference)
                                ELSE format('%s: the department has not answered in time', m.reference) END
            FROM missed m WHERE m.clock IN ('progress', 'department') AND m.owner_id IS NOT NULL
        ) n
        ORDER BY tenant_id, ticket_id, clock, step, created_at
    ), finished AS (
        UPDATE ticket_timers tt
        SET due_at = COALESCE(m.due_at, tt.due_at),
            done_at = CASE WHEN m.due_at IS NULL THEN p_now END,
            claimed_until = CASE WHEN m.due_at IS NULL THEN tt.claimed_until END,
            last_error = CASE WHEN m.due_at IS NULL THEN NULL ELSE tt.last_error END
        FROM due d
        LEFT JOIN moved m ON m.tenant_id = d.tenant_id AND m.ticket_id = d.ticket_id AND m.kind = d.kind
        WHERE tt.tenant_id = d.tenant_id AND tt.ticket_id = d.ticket_id AND tt.kind = d.kind
        RETURNING m.due_at IS NULL AS done
    )
    SELECT (count(*) FILTER (WHERE done))::integer, (count(*) FILTER (WHERE NOT done))::integer FROM finished
$$;
REVOKE ALL ON FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[]) TO kefu_app;
