-- 020 one home: a fact that both Swift and SQL need is defined once. Either a SQL function
-- owns it and Swift reads it (the ticket reference, who is alerted when no one else is), or
-- Swift owns it and passes it to the SQL that needs it (the SLA clock rules, the surge settings'
-- defaults and ranges). docs/ARCHITECTURE.md lists where each rule lives.

-- The ticket's reference, `T-000123`: the number padded to six digits, longer numbers whole.
-- Every reference Kefu shows (API, CLI, reports, notifications) is computed here.
CREATE FUNCTION kefu_ticket_reference(p_number bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 'T-' || CASE WHEN p_number < 1000000 THEN lpad(p_number::text, 6, '0') ELSE p_number::text END $$;

-- Who is alerted about a tenant's ticket when it needs a supervisor (a P1/P2 intake, a missed
-- SLA clock, a bad survey): its on-duty supervisors; none on duty, every active supervisor;
-- none at all, its admins. Invoker rights: under the application role row-level security
-- applies as well.
CREATE FUNCTION kefu_alert_recipients(p_tenant uuid) RETURNS TABLE (id uuid, created_at timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT ranked.id, ranked.created_at FROM (
        SELECT a.id, a.created_at, r.rank, min(r.rank) OVER () AS best
        FROM agents a
        CROSS JOIN LATERAL (SELECT CASE WHEN a.role = 'supervisor' AND a.duty_status = 'on_duty' THEN 1
                                        WHEN a.role = 'supervisor' THEN 2 ELSE 3 END AS rank) r
        WHERE a.tenant_id = p_tenant AND a.active AND a.role IN ('supervisor', 'admin')
    ) ranked
    WHERE ranked.rank = ranked.best
    ORDER BY ranked.created_at, ranked.id
$$;

-- ---------------------------------------------------------------------------------------------
-- The SLA clock rules are Swift's (SLAClockRule.all): the worker passes them as p_rules, a JSON
-- array of {"clock", "due", "statuses", "pauses", "met_by"} — the ticket column holding the due
-- instant, the statuses in which the clock runs, whether a paused ticket stops it, and the
-- column whose instant meets it. The function re-checks each fired clock against the locked
-- ticket with them, as sql/012 explains; it holds no rule of its own. A rule naming anything but
-- a `*_at` column matches nothing (the clock then counts as stopped).
DROP FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[]);
DROP FUNCTION kefu_act_on_sla_timers_at(timestamptz, uuid[], uuid[], text[]);
CREATE FUNCTION kefu_act_on_sla_timers_at(p_now timestamptz, p_tenant_ids uuid[], p_ticket_ids uuid[], p_kinds text[],
                                          p_rules jsonb)
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
        SELECT d.tenant_id, d.ticket_id, d.kind, d.clock, t.priority, t.owner_id, kefu_ticket_reference(t.number) AS reference,
               (s.stored ->> r.due)::timestamptz AS due_at,
               coalesce(t.status = ANY (r.statuses)
                        AND (NOT r.pauses OR t.sla_paused_at IS NULL)
                        AND (r.met_by IS NULL OR s.stored -> r.met_by = 'null'::jsonb), false) AS running
        FROM due d
        JOIN tickets t ON t.tenant_id = d.tenant_id AND t.id = d.ticket_id
        CROSS JOIN LATERAL (SELECT to_jsonb(t) AS stored) s
        LEFT JOIN jsonb_to_recordset(p_rules) AS r(clock text, due text, statuses text[], pauses boolean, met_by text)
          ON r.clock = d.clock AND r.due ~ '^[a-z_]+_at$' AND coalesce(r.met_by ~ '^[a-z_]+_at$', true)
    ), missed AS MATERIALIZED (
        SELECT * FROM clocks WHERE running AND due_at <= p_now
    ), moved AS (
        SELECT * FROM clocks WHERE running AND due_at > p_now
    ), supervisors AS MATERIALIZED (
        SELECT m.tenant_id, s.id, s.created_at, count(*) OVER (PARTITION BY m.tenant_id) AS n
        FROM (SELECT DISTINCT tenant_id FROM missed) m
        CROSS JOIN LATERAL kefu_alert_recipients(m.tenant_id) s
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

CREATE FUNCTION kefu_act_on_sla_timers(p_now timestamptz, p_tenant_ids uuid[], p_ticket_ids uuid[], p_kinds text[],
                                       p_rules jsonb)
RETURNS TABLE (performed integer, rescheduled integer)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT * FROM kefu_act_on_sla_timers_at(kefu_worker_now(p_now), p_tenant_ids, p_ticket_ids, p_kinds, p_rules) $$;

-- ---------------------------------------------------------------------------------------------
-- The surge settings' defaults and ranges are Swift's (TenantSettings, SettingRanges): the
-- surge functions take them as p_limits, {"surge": {"window_minutes": {"default", "min", "max"},
-- "minimum_volume": {…}}}, and a stored value that is not a whole number within them reads as
-- the default. They replace 017's fallbacks with their own defaults. (019's CHECK still keeps
-- stored values within the same ranges: a guard on storage, which SettingBoundsTests ties to
-- SettingRanges.)
CREATE FUNCTION kefu_limited_setting(p_settings jsonb, p_path text[], p_limits jsonb)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN jsonb_typeof(p_settings #> p_path) IS DISTINCT FROM 'number' THEN (p_limits #>> (p_path || '{default}'))::integer
        WHEN (p_settings #> p_path)::numeric BETWEEN (p_limits #>> (p_path || '{min}'))::numeric
                                                 AND (p_limits #>> (p_path || '{max}'))::numeric
         AND (p_settings #> p_path)::numeric = trunc((p_settings #> p_path)::numeric)
        THEN (p_settings #> p_path)::numeric::integer
        ELSE (p_limits #>> (p_path || '{default}'))::integer
    END
$$;

DROP FUNCTION kefu_surge_readings(timestamptz, timestamptz);
DROP FUNCTION kefu_surge_candidates(timestamptz, timestamptz);
DROP FUNCTION kefu_intake_readings(uuid[], timestamptz);
DROP FUNCTION kefu_settings_int(jsonb, text[], integer, integer, integer);

CREATE FUNCTION kefu_surge_candidates(p_since timestamptz, p_now timestamptz, p_limits jsonb)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT m.tenant_id
    FROM intake_minutes m JOIN tenants t ON t.id = m.tenant_id
    WHERE m.minute >= p_since AND m.minute <= p_now
      AND m.minute > p_now - make_interval(mins => kefu_limited_setting(t.settings, '{surge,window_minutes}', p_limits))
    GROUP BY m.tenant_id, t.settings
    HAVING sum(m.count) >= kefu_limited_setting(t.settings, '{surge,minimum_volume}', p_limits)
    UNION
    SELECT tenant_id FROM surge_modes WHERE active
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NULL AND activate_at <= p_now
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NOT NULL AND returned_at IS NULL AND ends_at <= p_now
$$;

CREATE FUNCTION kefu_intake_readings(p_tenants uuid[], p_now timestamptz, p_limits jsonb)
RETURNS TABLE (tenant_id uuid, channel text, live bigint, w1 bigint, w2 bigint, w3 bigint, w4 bigint,
               trailing_week bigint, first_minute timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT t.id, c.channel, l.live, w.w1, w.w2, w.w3, w.w4,
           CASE WHEN f.first_minute > k.hour_start - interval '168 hours' THEN
               coalesce((SELECT sum(h.count) FROM intake_hours h
                         WHERE h.tenant_id = t.id AND h.channel = c.channel
                           AND h.hour >= k.first_full_hour AND h.hour < k.last_hour), 0)
             + coalesce((SELECT sum(m.count) FROM intake_minutes m
                         WHERE m.tenant_id = t.id AND m.channel = c.channel
                           AND m.minute > p_now - interval '168 hours' AND m.minute < k.first_full_hour), 0)
             + coalesce((SELECT sum(m.count) FROM intake_minutes m
                         WHERE m.tenant_id = t.id AND m.channel = c.channel
                           AND m.minute >= k.last_hour AND m.minute <= p_now - k.win), 0)
           ELSE 0 END,
           f.first_minute
    FROM tenants t
    CROSS JOIN LATERAL (
        SELECT make_interval(mins => kefu_limited_setting(t.settings, '{surge,window_minutes}', p_limits)) AS win,
               date_trunc('hour', p_now, 'UTC') AS hour_start,
               date_trunc('hour', p_now - interval '168 hours', 'UTC') + interval '1 hour' AS first_full_hour,
               date_trunc('hour', p_now - make_interval(mins => kefu_limited_setting(t.settings, '{surge,window_minutes}', p_limits)), 'UTC') AS last_hour
    ) k
    -- The channels the tenant ever took intake on, by skipping through the hourly primary key
    -- (one probe per channel, plus one).
    CROSS JOIN LATERAL (
        WITH RECURSIVE used (channel) AS (
            (SELECT h.channel FROM intake_hours h WHERE h.tenant_id = t.id ORDER BY h.channel LIMIT 1)
            UNION ALL
            SELECT (SELECT h.channel FROM intake_hours h WHERE h.tenant_id = t.id AND h.channel > used.channel ORDER BY h.channel LIMIT 1)
            FROM used WHERE used.channel IS NOT NULL
        )
        SELECT used.channel FROM used WHERE used.channel IS NOT NULL
    ) c
    CROSS JOIN LATERAL (
        SELECT min(m.minute) AS first_minute FROM intake_minutes m
        WHERE m.tenant_id = t.id AND m.channel = c.channel AND m.minute > p_now - interval '840 hours' AND m.minute <= p_now
    ) f
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(m.count), 0) AS live FROM intake_minutes m
        WHERE m.tenant_id = t.id AND m.channel = c.channel AND m.minute > p_now - k.win AND m.minute <= p_now
    ) l
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(h.count) FILTER (WHERE h.hour = k.hour_start - interval '168 hours'), 0) AS w1,
               coalesce(sum(h.count) FILTER (WHERE h.hour = k.hour_start - interval '336 hours'), 0) AS w2,
               coalesce(sum(h.count) FILTER (WHERE h.hour = k.hour_start - interval '504 hours'), 0) AS w3,
               coalesce(sum(h.count) FILTER (WHERE h.hour = k.hour_start - interval '672 hours'), 0) AS w4
        FROM intake_hours h
        WHERE h.tenant_id = t.id AND h.channel = c.channel
          AND h.hour = ANY (ARRAY[k.hour_start - interval '168 hours', k.hour_start - interval '336 hours',
                                  k.hour_start - interval '504 hours', k.hour_start - interval '672 hours'])
    ) w
    WHERE t.id = ANY (p_tenants) AND f.first_minute IS NOT NULL
$$;

CREATE FUNCTION kefu_surge_readings(p_since timestamptz, p_now timestamptz, p_limits jsonb)
RETURNS TABLE (tenant_id uuid, surge_settings text, active boolean, calm_since timestamptz, manual boolean,
               events_due boolean, channel text, live bigint, w1 bigint, w2 bigint, w3 bigint, w4 bigint,
               trailing_week bigint, first_minute timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH candidates AS MATERIALIZED (
        SELECT t.id, t.settings, make_interval(mins => kefu_limited_setting(t.settings, '{surge,window_minutes}', p_limits)) AS win
        FROM kefu_surge_candidates(p_since, p_now, p_limits) c JOIN tenants t ON t.id = c.tenant_id
    ), hour_start AS (
        SELECT date_trunc('hour', p_now, 'UTC') AS hs
    ), live AS (
        SELECT m.tenant_id, m.channel, sum(m.count) AS live
        FROM intake_minutes m JOIN candidates c ON c.id = m.tenant_id
        WHERE m.minute > p_now - (SELECT max(win) FROM candidates) AND m.minute <= p_now AND m.minute > p_now - c.win
        GROUP BY 1, 2
    ), weeks AS (
        SELECT h.tenant_id, h.channel,
               sum(h.count) FILTER (WHERE h.hour = k.hs - interval '168 hours') AS w1,
               sum(h.count) FILTER (WHERE h.hour = k.hs - interval '336 hours') AS w2,
               sum(h.count) FILTER (WHERE h.hour = k.hs - interval '504 hours') AS w3,
               sum(h.count) FILTER (WHERE h.hour = k.hs - interval '672 hours') AS w4
        FROM hour_start k
        JOIN intake_hours h ON h.hour = ANY (ARRAY[k.hs - interval '168 hours', k.hs - interval '336 hours',
                                                   k.hs - interval '504 hours', k.hs - interval '672 hours'])
        JOIN candidates c ON c.id = h.tenant_id
        GROUP BY 1, 2
    ), readings AS (
        SELECT r.tenant_id, r.channel, r.trailing_week, r.first_minute
        FROM (SELECT array_agg(id) AS ids FROM candidates) c, kefu_intake_readings(c.ids, p_now, p_limits) r
    )
    SELECT t.id, coalesce(t.settings -> 'surge', '{}')::text, coalesce(s.active, false), s.calm_since,
           coalesce(i.trigger = 'manual', false),
           EXISTS (SELECT FROM scheduled_events e WHERE e.tenant_id = t.id
                   AND ((e.activated_at IS NULL AND e.activate_at <= p_now)
                        OR (e.activated_at IS NOT NULL AND e.returned_at IS NULL AND e.ends_at <= p_now))),
           r.channel, coalesce(l.live, 0), coalesce(w.w1, 0), coalesce(w.w2, 0), coalesce(w.w3, 0), coalesce(w.w4, 0),
           r.trailing_week, r.first_minute
    FROM candidates t
    LEFT JOIN surge_modes s ON s.tenant_id = t.id
    LEFT JOIN incidents i ON i.tenant_id = s.tenant_id AND i.id = s.incident_id
    LEFT JOIN readings r ON r.tenant_id = t.id
    LEFT JOIN live l ON l.tenant_id = r.tenant_id AND l.channel = r.channel
    LEFT JOIN weeks w ON w.tenant_id = r.tenant_id AND w.channel = r.channel
    ORDER BY t.id, r.channel
$$;

-- The worker's functions are the worker's only; the intake readings keep invoker rights (the
-- API reads one tenant's under row-level security, the surge readings call them as the definer).
REVOKE ALL ON FUNCTION kefu_act_on_sla_timers_at(timestamptz, uuid[], uuid[], text[], jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[], jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION kefu_surge_candidates(timestamptz, timestamptz, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION kefu_surge_readings(timestamptz, timestamptz, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION kefu_intake_readings(uuid[], timestamptz, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[], jsonb) TO kefu_worker;
GRANT EXECUTE ON FUNCTION kefu_surge_readings(timestamptz, timestamptz, jsonb) TO kefu_worker;
GRANT EXECUTE ON FUNCTION kefu_intake_readings(uuid[], timestamptz, jsonb) TO kefu_app, kefu_definer;
