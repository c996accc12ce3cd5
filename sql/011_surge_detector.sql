-- 011 the surge detector at scale: an hourly intake rollup next to the minute buckets, and the
-- detector's reading for every candidate tenant in one statement.

-- Intake per tenant, channel and hour (UTC hours), written in the same statement of the intake
-- transaction as the minute bucket. The same hour of the week 1…4 weeks ago is one row each,
-- and the trailing 7 days are at most 168 rows instead of up to 10,080 minute rows.
CREATE TABLE intake_hours (
    tenant_id uuid NOT NULL,
    channel   text NOT NULL,
    hour      timestamptz NOT NULL,
    count     integer NOT NULL,
    PRIMARY KEY (tenant_id, channel, hour),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) WITH (fillfactor = 70);
INSERT INTO intake_hours (tenant_id, channel, hour, count)
SELECT tenant_id, channel, date_trunc('hour', minute, 'UTC'), sum(count) FROM intake_minutes GROUP BY 1, 2, 3;
SELECT kefu_isolate_tenant_table('intake_hours');

-- Room on each page for the count's updates to stay HOT (no index entry per increment).
ALTER TABLE intake_minutes SET (fillfactor = 70);

-- The intake counts the surge decision needs for the given tenants at p_now, per channel that took
-- anything in the last 5 weeks: the live window (the
-- tenant's surge.window_minutes), the same hour of the week 1…4 weeks ago, the first minute in the
-- last 5 weeks and, only for a channel younger than a week (the only case the decision uses it),
-- the trailing 7 days before the window. Each is read through a primary key range, so the cost
-- does not grow with the table or with how old the tenant is. Invoker rights: inside a tenant
-- transaction row-level security limits it to that tenant.
CREATE FUNCTION kefu_intake_readings(p_tenants uuid[], p_now timestamptz)
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
        SELECT make_interval(mins => coalesce((t.settings #>> '{surge,window_minutes}')::int, 15)) AS win,
               date_trunc('hour', p_now, 'UTC') AS hour_start,
               date_trunc('hour', p_now - interval '168 hours', 'UTC') + interval '1 hour' AS first_full_hour,
               date_trunc('hour', p_now - make_interval(mins => coalesce((t.settings #>> '{surge,window_minutes}')::int, 15)), 'UTC') AS last_hour
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
REVOKE ALL ON FUNCTION kefu_intake_readings(uuid[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_intake_readings(uuid[], timestamptz) TO kefu_app;

-- Finds the hour rows of one hour for all tenants at once (the detector's same hour 1…4 weeks
-- ago). Written only when a tenant's hour row is created; the count's updates stay HOT.
CREATE INDEX intake_hours_hour_idx ON intake_hours (hour);

-- The detector's whole reading in one statement: for every candidate tenant
-- (kefu_surge_candidates) its surge settings, its mode, whether a scheduled event's staffing
-- change is due, and its intake counts per channel (one row per channel; a tenant without intake
-- in the last 5 weeks gets one row with channel NULL). The live windows and the same hour 1…4
-- weeks ago are read for all candidates at once (range scans of the minute and hour indexes,
-- joined by hash); channels, first minutes and young channels' trailing weeks come from
-- kefu_intake_readings (whose own live and week reads go unused here and are not executed). The
-- worker decides from this and opens a locking tenant transaction only for tenants whose state
-- must change. Owner rights, because the worker (application role) cannot see across tenants.
CREATE FUNCTION kefu_surge_readings(p_since timestamptz, p_now timestamptz)
RETURNS TABLE (tenant_id uuid, surge_settings text, active boolean, calm_since timestamptz, manual boolean,
               events_due boolean, channel text, live bigint, w1 bigint, w2 bigint, w3 bigint, w4 bigint,
               trailing_week bigint, first_minute timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH candidates AS MATERIALIZED (
        SELECT t.id, t.settings, make_interval(mins => coalesce((t.settings #>> '{surge,window_minutes}')::int, 15)) AS win
        FROM kefu_surge_candidates(p_since, p_now) c JOIN tenants t ON t.id = c.tenant_id
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
        FROM (SELECT array_agg(id) AS ids FROM candidates) c, kefu_intake_readings(c.ids, p_now) r
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
REVOKE ALL ON FUNCTION kefu_surge_readings(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_surge_readings(timestamptz, timestamptz) TO kefu_app;
