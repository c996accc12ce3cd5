-- 044 the worker's cross-tenant functions in the form Citus can run (issue 16 §3,
-- docs/SCALING.md). Citus does not run `SELECT … FOR UPDATE SKIP LOCKED` over several shards, nor
-- a delete by ctid over several shards. As kefu_claim_due_timers (sql/040): a read without locks
-- finds the oldest due work and the tenants that hold it, then each tenant's share is locked or
-- deleted by statements that name that tenant (router queries on Citus, one shard each). Same
-- signatures, clamps and results as before: the worker's callers are unchanged.

-- Timer claims, of ticket timers and record timers alike: one function serves both tables (they
-- have the same columns but the one naming the record). The claim of sql/040 on ticket timers,
-- and now record timers (sql/025) in the same form: a read without locks finds the oldest due
-- timers (the window: twice the batch, so that a second worker finds work past the first one's);
-- then, oldest tenant first, each tenant's share of the window is locked and leased by a
-- statement that names the tenant, in both the locking SELECT and the UPDATE (sql/040's UPDATE
-- matched its target only through the locked rows), until the batch is full. Pass 1 takes each
-- tenant's timers among the oldest p_limit (what one statement over all tenants took); pass 2
-- fills what other workers' locks left over from the rest of the window. The window walks the
-- table's due index, each claim the primary key. Invoker rights: only the claims below call it.
CREATE FUNCTION kefu_claim_due_timer_rows(p_table text, p_record text, p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, record_id uuid, kind text, due_at timestamptz)
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
    v_now     timestamptz := kefu_worker_now(p_now);
    v_until   timestamptz := kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes');
    v_left    integer := least(greatest(p_limit, 0), 1000);
    v_pass    integer;
    v_tenant  uuid;
    v_share   integer;
    v_records uuid[];
    v_kinds   text[];
    v_claimed integer;
BEGIN
    IF (p_table, p_record) NOT IN (('ticket_timers', 'ticket_id'), ('record_timers', 'record_id')) THEN
        RAISE EXCEPTION 'not a timer table: %.%', p_table, p_record USING ERRCODE = '22023';
    END IF;
    FOR v_pass IN 1..2 LOOP
        EXIT WHEN v_left <= 0;
        FOR v_tenant, v_share, v_records, v_kinds IN EXECUTE format(
            'SELECT w.tenant_id, CASE WHEN $1 = 1 THEN count(*) FILTER (WHERE w.rank <= $2) ELSE $2 END,
                    array_agg(w.record), array_agg(w.kind)
             FROM (
                 SELECT x.tenant_id, x.%2$I AS record, x.kind, x.due_at, row_number() OVER (ORDER BY x.due_at) AS rank
                 FROM %1$I x
                 WHERE x.done_at IS NULL AND x.failed_at IS NULL AND x.due_at <= $3
                   AND (x.claimed_until IS NULL OR x.claimed_until < $3)
                 ORDER BY x.due_at
                 LIMIT 2 * $2
             ) w
             GROUP BY w.tenant_id
             ORDER BY min(w.due_at)', p_table, p_record) USING v_pass, v_left, v_now
        LOOP
            EXIT WHEN v_left <= 0;
            CONTINUE WHEN v_share = 0;
            RETURN QUERY EXECUTE format(
                'UPDATE %1$I t
                 SET claimed_until = $5, attempts = t.attempts + 1
                 FROM (
                     SELECT x.%2$I AS record, x.kind FROM %1$I x
                     JOIN unnest($2::uuid[], $3::text[]) AS w(record, kind) ON w.record = x.%2$I AND w.kind = x.kind
                     WHERE x.tenant_id = $1 AND x.done_at IS NULL AND x.failed_at IS NULL AND x.due_at <= $4
                       AND (x.claimed_until IS NULL OR x.claimed_until < $4)
                     ORDER BY x.due_at
                     LIMIT $6
                     FOR UPDATE OF x SKIP LOCKED
                 ) due
                 WHERE t.tenant_id = $1 AND t.%2$I = due.record AND t.kind = due.kind
                 RETURNING t.tenant_id, t.%2$I, t.kind, t.due_at', p_table, p_record)
                USING v_tenant, v_records, v_kinds, v_now, v_until, least(v_share, v_left);
            GET DIAGNOSTICS v_claimed = ROW_COUNT;
            v_left := v_left - v_claimed;
        END LOOP;
    END LOOP;
END
$$;
ALTER FUNCTION kefu_claim_due_timer_rows(text, text, timestamptz, integer, interval) OWNER TO kefu_definer;
REVOKE ALL ON FUNCTION kefu_claim_due_timer_rows(text, text, timestamptz, integer, interval) FROM PUBLIC;

-- Same signatures, clamps and results as before: TimerSweeper is unchanged.
CREATE OR REPLACE FUNCTION kefu_claim_due_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, ticket_id uuid, kind text, due_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$ SELECT c.tenant_id, c.record_id, c.kind, c.due_at FROM kefu_claim_due_timer_rows('ticket_timers', 'ticket_id', p_now, p_limit, p_lease) c $$;

CREATE OR REPLACE FUNCTION kefu_claim_due_record_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, kind text, record_id uuid, due_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$ SELECT c.tenant_id, c.kind, c.record_id, c.due_at FROM kefu_claim_due_timer_rows('record_timers', 'record_id', p_now, p_limit, p_lease) c $$;

-- Deliveries (sql/034, sql/035, sql/036): webhooks, robots and email, one lane per target (a
-- webhook, a robot, or the tenant's relay), at most p_per_target (1–10) per lane, none of a lane
-- that still has a leased delivery. A lane is within one tenant, so the ranking is per tenant:
-- the read without locks ranks the due deliveries of every tenant as sql/036's claim did and
-- finds the tenants holding the oldest (twice the batch); then, oldest tenant first, the ranking
-- is done again within that tenant (a new snapshot: a lane another worker leased meanwhile is
-- busy) and its oldest eligible deliveries are locked and leased, all by statements that name
-- the tenant, until the batch is full. Pass 1 takes each tenant's share of the oldest p_limit,
-- pass 2 fills what other workers' locks left over, up to each tenant's share of the window.
-- A lane leased in pass 1 is busy in pass 2, so a lane's deliveries come from one statement, in
-- order. Same signature and result as before: rows ordered by next attempt within each tenant.
CREATE OR REPLACE FUNCTION kefu_claim_due_deliveries(p_now timestamptz, p_limit integer, p_per_target integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, target_id uuid, target_kind text, event_type text, attempts integer, url text,
               secret text, previous_secret text, previous_secret_expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    v_now     timestamptz := kefu_worker_now(p_now);
    v_until   timestamptz := kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes');
    v_left    integer := least(greatest(p_limit, 0), 1000);
    v_per     integer := least(greatest(p_per_target, 1), 10);
    v_pass    integer;
    v_tenant  uuid;
    v_share   integer;
    v_claimed integer;
BEGIN
    FOR v_pass IN 1..2 LOOP
        EXIT WHEN v_left <= 0;
        FOR v_tenant, v_share IN
            SELECT w.tenant_id, CASE WHEN v_pass = 1 THEN count(*) FILTER (WHERE w.rank <= v_left) ELSE count(*) END
            FROM (
                SELECT d.tenant_id, d.next_attempt_at, row_number() OVER (ORDER BY d.next_attempt_at, d.id) AS rank
                FROM (
                    SELECT d.tenant_id, d.id, d.next_attempt_at,
                           row_number() OVER (PARTITION BY d.tenant_id, coalesce(d.webhook_id, d.robot_id, d.tenant_id)
                                              ORDER BY d.next_attempt_at, d.id) AS lane_rank
                    FROM deliveries d
                    WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= v_now
                      AND (d.claimed_until IS NULL OR d.claimed_until < v_now)
                      AND NOT EXISTS (
                          SELECT 1 FROM deliveries busy
                          WHERE busy.tenant_id = d.tenant_id
                            AND coalesce(busy.webhook_id, busy.robot_id, busy.tenant_id) = coalesce(d.webhook_id, d.robot_id, d.tenant_id)
                            AND busy.status IN ('pending', 'failed') AND busy.claimed_until >= v_now)
                ) d
                WHERE d.lane_rank <= v_per
                ORDER BY d.next_attempt_at, d.id
                LIMIT 2 * v_left
            ) w
            GROUP BY w.tenant_id
            ORDER BY min(w.next_attempt_at)
        LOOP
            EXIT WHEN v_left <= 0;
            CONTINUE WHEN v_share = 0;
            RETURN QUERY
            WITH due AS (
                SELECT d.tenant_id, d.id FROM (
                    SELECT d.tenant_id, d.id, d.next_attempt_at,
                           row_number() OVER (PARTITION BY coalesce(d.webhook_id, d.robot_id, d.tenant_id)
                                              ORDER BY d.next_attempt_at, d.id) AS lane_rank
                    FROM deliveries d
                    WHERE d.tenant_id = v_tenant AND d.status IN ('pending', 'failed') AND d.next_attempt_at <= v_now
                      AND (d.claimed_until IS NULL OR d.claimed_until < v_now)
                      AND NOT EXISTS (
                          SELECT 1 FROM deliveries busy
                          WHERE busy.tenant_id = v_tenant
                            AND coalesce(busy.webhook_id, busy.robot_id, busy.tenant_id) = coalesce(d.webhook_id, d.robot_id, d.tenant_id)
                            AND busy.status IN ('pending', 'failed') AND busy.claimed_until >= v_now)
                ) d
                WHERE d.lane_rank <= v_per
                ORDER BY d.next_attempt_at, d.id
                LIMIT least(v_share, v_left)
            ), leased AS (
                UPDATE deliveries d
                SET claimed_until = v_until
                FROM (
                    SELECT x.tenant_id, x.id FROM deliveries x JOIN due USING (tenant_id, id)
                    WHERE x.tenant_id = v_tenant
                    FOR UPDATE OF x SKIP LOCKED
                ) locked
                WHERE d.tenant_id = v_tenant AND d.id = locked.id
                RETURNING d.tenant_id, d.id, d.webhook_id, d.robot_id, d.email, d.event_type, d.attempts, d.next_attempt_at
            )
            SELECT l.tenant_id, l.id, coalesce(l.webhook_id, l.robot_id, l.tenant_id),
                   CASE WHEN l.email THEN 'email' ELSE coalesce(r.kind, 'webhook') END, l.event_type, l.attempts,
                   coalesce(w.url, r.url, 'mailto:'), coalesce(w.secret, r.secret), w.previous_secret, w.previous_secret_expires_at
            FROM leased l
            LEFT JOIN webhooks w ON w.tenant_id = v_tenant AND w.id = l.webhook_id
            LEFT JOIN robots r ON r.tenant_id = v_tenant AND r.id = l.robot_id
            ORDER BY l.next_attempt_at, l.id;
            GET DIAGNOSTICS v_claimed = ROW_COUNT;
            v_left := v_left - v_claimed;
        END LOOP;
    END LOOP;
END
$$;

-- Intake counter retention (sql/016, behind sql/017's clamping wrapper): ctid is local to a shard,
-- so a delete by ctid cannot be planned over shards. A read without locks finds the tenants
-- holding the oldest p_limit rows past 36 days (by the time index), then each tenant's share of
-- them is deleted by primary key, by a statement that names the tenant, oldest tenant first; for
-- each table. Same signature and result (the rows deleted): IntakeCounterRetention is unchanged.
CREATE OR REPLACE FUNCTION kefu_prune_intake_counters_at(p_now timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    v_cutoff  timestamptz := p_now - interval '36 days';
    v_table   text;
    v_column  text;
    v_left    integer;
    v_tenant  uuid;
    v_share   integer;
    v_deleted integer;
    v_total   integer := 0;
BEGIN
    -- Each table and its time column (constants: the statements' text is fixed, values are bound).
    FOR v_table, v_column IN VALUES ('intake_minutes', 'minute'), ('intake_hours', 'hour') LOOP
        v_left := greatest(p_limit, 0);
        FOR v_tenant, v_share IN EXECUTE format(
            'SELECT o.tenant_id, count(*)::integer FROM (
                 SELECT c.tenant_id, c.%2$I AS at FROM %1$I c WHERE c.%2$I < $1 ORDER BY c.%2$I LIMIT $2) o
             GROUP BY o.tenant_id ORDER BY min(o.at)', v_table, v_column) USING v_cutoff, v_left
        LOOP
            EXIT WHEN v_left <= 0;
            EXECUTE format(
                'DELETE FROM %1$I c WHERE c.tenant_id = $1 AND (c.channel, c.%2$I) IN (
                     SELECT x.channel, x.%2$I FROM %1$I x WHERE x.tenant_id = $1 AND x.%2$I < $2 ORDER BY x.%2$I LIMIT $3)',
                v_table, v_column) USING v_tenant, v_cutoff, least(v_share, v_left);
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            v_left := v_left - v_deleted;
            v_total := v_total + v_deleted;
        END LOOP;
    END LOOP;
    RETURN v_total;
END
$$;

-- The SLA clock batch (sql/020, behind sql/017's clamping wrapper), tenant by tenant: the worker
-- now calls it once per tenant (SLAClockBatch), and each tenant's timers are locked and acted on
-- by statements that name the tenant (its tickets locked, then its timers; the rest as sql/020).
-- A call that names several tenants still acts on each of them, one after the other, in its one
-- transaction. Same signature and result (the timers finished and re-armed).
CREATE OR REPLACE FUNCTION kefu_act_on_sla_timers_at(p_now timestamptz, p_tenant_ids uuid[], p_ticket_ids uuid[], p_kinds text[],
                                                     p_rules jsonb)
RETURNS TABLE (performed integer, rescheduled integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    v_tenant      uuid;
    v_tickets     uuid[];
    v_kinds       text[];
    v_performed   integer;
    v_rescheduled integer;
BEGIN
    performed := 0;
    rescheduled := 0;
    FOR v_tenant, v_tickets, v_kinds IN
        SELECT c.tenant_id, array_agg(c.ticket_id), array_agg(c.kind)
        FROM unnest(p_tenant_ids, p_ticket_ids, p_kinds) AS c(tenant_id, ticket_id, kind)
        WHERE c.kind LIKE 'sla:%'
        GROUP BY c.tenant_id
        ORDER BY c.tenant_id
    LOOP
        -- 1. Lock the tenant's tickets of the claimed SLA timers, in key order.
        PERFORM 1 FROM tickets t
        WHERE t.tenant_id = v_tenant AND t.id = ANY (v_tickets)
        ORDER BY t.id
        FOR UPDATE OF t;

        -- 2. Act (a new snapshot: the tickets as they are now that they are locked).
        WITH due AS MATERIALIZED (
            SELECT tt.ticket_id, tt.kind, substr(tt.kind, 5) AS clock
            FROM ticket_timers tt
            JOIN (SELECT DISTINCT c.ticket_id, c.kind FROM unnest(v_tickets, v_kinds) AS c(ticket_id, kind)) c
              ON tt.ticket_id = c.ticket_id AND tt.kind = c.kind
            WHERE tt.tenant_id = v_tenant AND tt.kind LIKE 'sla:%' AND tt.done_at IS NULL AND tt.due_at <= p_now
            ORDER BY tt.ticket_id, tt.kind
            FOR UPDATE OF tt
        ), clocks AS MATERIALIZED (
            SELECT d.ticket_id, d.kind, d.clock, t.priority, t.owner_id, kefu_ticket_reference(t.number) AS reference,
                   (s.stored ->> r.due)::timestamptz AS due_at,
                   coalesce(t.status = ANY (r.statuses)
                            AND (NOT r.pauses OR t.sla_paused_at IS NULL)
                            AND (r.met_by IS NULL OR s.stored -> r.met_by = 'null'::jsonb), false) AS running
            FROM due d
            JOIN tickets t ON t.tenant_id = v_tenant AND t.id = d.ticket_id
            CROSS JOIN LATERAL (SELECT to_jsonb(t) AS stored) s
            LEFT JOIN jsonb_to_recordset(p_rules) AS r(clock text, due text, statuses text[], pauses boolean, met_by text)
              ON r.clock = d.clock AND r.due ~ '^[a-z_]+_at$' AND coalesce(r.met_by ~ '^[a-z_]+_at$', true)
        ), missed AS MATERIALIZED (
            SELECT * FROM clocks WHERE running AND due_at <= p_now
        ), moved AS (
            SELECT * FROM clocks WHERE running AND due_at > p_now
        ), supervisors AS MATERIALIZED (
            SELECT s.id, s.created_at, count(*) OVER () AS n
            FROM kefu_alert_recipients(v_tenant) s
            WHERE EXISTS (SELECT 1 FROM missed)
        ), breach AS (
            INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
            SELECT v_tenant, ticket_id, clock, due_at, NULL, p_now, extract(epoch FROM p_now - due_at) FROM missed
            ON CONFLICT DO NOTHING
            RETURNING ticket_id, clock, due_at, late_seconds
        ), flagged AS (
            UPDATE tickets t SET breached = true
            FROM (SELECT DISTINCT ticket_id FROM breach) b
            WHERE t.tenant_id = v_tenant AND t.id = b.ticket_id AND NOT t.breached
        ), events AS (
            -- One INSERT, ordered, so each ticket's sla_breached comes before its sla_escalated.
            INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
            SELECT v_tenant, ticket_id, 'system', kind, after, p_now FROM (
                SELECT b.ticket_id, b.clock, 1 AS step, 'sla_breached' AS kind,
                       jsonb_build_object('clock', b.clock, 'due_at', kefu_json_instant(b.due_at), 'met_at', NULL,
                                          'late_seconds', b.late_seconds) AS after
                FROM breach b
                UNION ALL
                SELECT m.ticket_id, m.clock, 2, 'sla_escalated',
                       jsonb_build_object('clock', m.clock, 'due_at', kefu_json_instant(m.due_at),
                                          'supervisors', COALESCE((SELECT max(s.n) FROM supervisors s), 0))
                FROM missed m
            ) e
            ORDER BY ticket_id, clock, step
        ), notified AS (
            INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
            SELECT v_tenant, recipient_id, kind, ticket_id, message, p_now FROM (
                SELECT m.ticket_id, m.clock, 1 AS step, s.created_at, s.id AS recipient_id, 'sla_breach' AS kind,
                       format('%s (%s) missed its %s target', m.reference, m.priority, replace(m.clock, '_', ' ')) AS message
                FROM missed m CROSS JOIN supervisors s
                UNION ALL
                SELECT m.ticket_id, m.clock, 2, NULL, m.owner_id,
                       CASE m.clock WHEN 'progress' THEN 'progress_reminder' ELSE 'department_overdue' END,
                       CASE m.clock WHEN 'progress' THEN format('%s: the customer is due a progress update', m.reference)
                                    ELSE format('%s: the department has not answered in time', m.reference) END
                FROM missed m WHERE m.clock IN ('progress', 'department') AND m.owner_id IS NOT NULL
            ) n
            ORDER BY ticket_id, clock, step, created_at
        ), finished AS (
            UPDATE ticket_timers tt
            SET due_at = COALESCE(m.due_at, tt.due_at),
                done_at = CASE WHEN m.due_at IS NULL THEN p_now END,
                claimed_until = CASE WHEN m.due_at IS NULL THEN tt.claimed_until END,
                last_error = CASE WHEN m.due_at IS NULL THEN NULL ELSE tt.last_error END
            FROM due d
            LEFT JOIN moved m ON m.ticket_id = d.ticket_id AND m.kind = d.kind
            WHERE tt.tenant_id = v_tenant AND tt.ticket_id = d.ticket_id AND tt.kind = d.kind
            RETURNING m.due_at IS NULL AS done
        )
        SELECT (count(*) FILTER (WHERE done))::integer, (count(*) FILTER (WHERE NOT done))::integer
        INTO v_performed, v_rescheduled
        FROM finished;
        performed := performed + v_performed;
        rescheduled := rescheduled + v_rescheduled;
    END LOOP;
    RETURN NEXT;
END
$$;
