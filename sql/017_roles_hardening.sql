-- 017 roles hardening: the database roles mean what the design says.
--
--   owner        (the role that runs migrations) owns the tables; operators' commands.
--   kefu_app     the API. Row-level security always applies; it may not call the cross-tenant
--                worker functions, delete what the application never deletes, or change a
--                tenant's status.
--   kefu_worker  the worker. Everything kefu_app may do (it is a member of kefu_app, so
--                privileges of future tables follow), plus EXECUTE on the worker functions.
--   kefu_definer NOLOGIN, BYPASSRLS, not a superuser: owns every SECURITY DEFINER function, so
--                "owner rights" are reading and writing rows (no tenants deleted), never a
--                superuser's: no DDL, no roles, no files, no login.

-- Roles are cluster-wide: created once, tolerant of another database of the cluster creating
-- them at the same moment (tests migrate many databases).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_worker') THEN
        CREATE ROLE kefu_worker LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_definer') THEN
        CREATE ROLE kefu_definer NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
DO $$
BEGIN
    IF NOT pg_has_role('kefu_worker', 'kefu_app', 'MEMBER') THEN
        GRANT kefu_app TO kefu_worker;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The definer reads and writes the tables its functions touch (every table, now and later).
GRANT USAGE ON SCHEMA public TO kefu_definer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kefu_definer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kefu_definer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kefu_definer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kefu_definer;
REVOKE ALL ON schema_migrations FROM kefu_definer;
-- No function deletes tenants with owner rights; kefu_deleting_tenant relies on that.
REVOKE DELETE ON tenants FROM kefu_definer;

-- ---------------------------------------------------------------------------------------------
-- Immutability that holds.

-- Deleting a whole tenant (`kefu_delete_tenant`, operators) is the one exception to the
-- archive and report rules. A setting alone does not decide it (any session can set one): the
-- role running the statement must also be allowed to delete tenants, which kefu_app (and so
-- kefu_worker) is not.
-- Plain SQL without a SET clause, so it is inlined into the row triggers that call it on every
-- ticket write (the common case, no flag set, costs one current_setting).
CREATE FUNCTION kefu_deleting_tenant(p_tenant_id uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN coalesce(current_setting('kefu.deleting_tenant', true), '') = '' THEN false
                ELSE current_setting('kefu.deleting_tenant', true)::uuid = p_tenant_id
                     AND has_table_privilege('public.tenants', 'DELETE') END
$$;

CREATE OR REPLACE FUNCTION kefu_report_tenant_deleting(p_tenant_id uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT kefu_deleting_tenant(p_tenant_id) $$;

CREATE OR REPLACE FUNCTION kefu_protect_archived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'archived' AND NOT kefu_deleting_tenant(OLD.tenant_id) THEN
        RAISE EXCEPTION 'ticket % is archived and read-only', OLD.number USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- The record of an archived ticket (its conversation, tags, owners, breaches, events, survey)
-- cannot be changed or deleted either. Tables that hold work about a ticket that goes on after
-- it is archived are left out on purpose: ticket_timers (the worker finishes the archive timer),
-- followups, qa_reviews, agent_complaints and kb_article_tickets.
CREATE FUNCTION kefu_freeze_archived_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tickets WHERE tenant_id = OLD.tenant_id AND id = OLD.ticket_id AND status = 'archived')
       AND NOT kefu_deleting_tenant(OLD.tenant_id) THEN
        RAISE EXCEPTION 'ticket is archived and read-only' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['ticket_messages', 'ticket_tags', 'ticket_assignments', 'ticket_sla_breaches',
                               'ticket_events', 'surveys'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kefu_freeze_archived_children()',
                       tbl || '_archived_frozen', tbl);
    END LOOP;
END
$$;

-- kefu_app deletes only what the application deletes: routing rules. Deleting a ticket (and
-- cascading its append-only events away) is impossible for it.
REVOKE DELETE ON ALL TABLES IN SCHEMA public FROM kefu_app;
GRANT DELETE ON routing_rules TO kefu_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE DELETE ON TABLES FROM kefu_app;

-- The application changes a tenant's profile and settings, never its status (operators suspend).
REVOKE UPDATE ON tenants FROM kefu_app;
GRANT UPDATE (name, timezone, settings, updated_at) ON tenants TO kefu_app;

-- A key hash identifies one key: two keys with the same hash would authenticate as either.
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
DROP INDEX api_keys_hash_idx;

-- ---------------------------------------------------------------------------------------------
-- Timers that keep failing: retried with exponential backoff (the worker leases a failed timer
-- until its next attempt), then marked failed after a cap and left for operators
-- (`kefu timers --failed`, `kefu_timers_failed` on /metrics).
ALTER TABLE ticket_timers ADD COLUMN failures integer NOT NULL DEFAULT 0;
ALTER TABLE ticket_timers ADD COLUMN failed_at timestamptz;
DROP INDEX ticket_timers_due_idx;
CREATE INDEX ticket_timers_due_idx ON ticket_timers (due_at) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX ticket_timers_failed_idx ON ticket_timers (failed_at) WHERE failed_at IS NOT NULL AND done_at IS NULL;

-- ---------------------------------------------------------------------------------------------
-- The worker functions: only kefu_worker may call them; time comes from the caller's clock but
-- never later than the database's clock plus a few seconds (a caller cannot act early), and
-- limits and leases are capped.

-- The latest instant a worker may act at: its own clock, at most 5 seconds ahead of the
-- database's. (A clock behind the database only does less.) Inlined into the statements
-- that use it (no SET clause), so it does not keep them from using the due-time index.
CREATE FUNCTION kefu_worker_now(p_now timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE
AS $$ SELECT least(p_now, now() + interval '5 seconds') $$;

DROP FUNCTION kefu_claim_due_timers(timestamptz, integer, interval);
-- Leases up to p_limit (at most 1,000) due timers for p_lease (1 second to 10 minutes) and says
-- which tenant each belongs to; failed timers are not claimed. JIT is off (see sql/004).
CREATE FUNCTION kefu_claim_due_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, ticket_id uuid, kind text, due_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    UPDATE ticket_timers t
    SET claimed_until = kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes'),
        attempts = t.attempts + 1
    FROM (
        SELECT tenant_id, ticket_id, kind FROM ticket_timers
        WHERE done_at IS NULL AND failed_at IS NULL AND due_at <= kefu_worker_now(p_now)
          AND (claimed_until IS NULL OR claimed_until < kefu_worker_now(p_now))
        ORDER BY due_at
        LIMIT least(greatest(p_limit, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE t.tenant_id = due.tenant_id AND t.ticket_id = due.ticket_id AND t.kind = due.kind
    RETURNING t.tenant_id, t.ticket_id, t.kind, t.due_at
$$;

-- The batch and pruning functions of sql/012 and sql/016 stay as they are, behind wrappers
-- that clamp their time and limits; only the wrappers can be called.
ALTER FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[]) RENAME TO kefu_act_on_sla_timers_at;
CREATE FUNCTION kefu_act_on_sla_timers(p_now timestamptz, p_tenant_ids uuid[], p_ticket_ids uuid[], p_kinds text[])
RETURNS TABLE (performed integer, rescheduled integer)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT * FROM kefu_act_on_sla_timers_at(kefu_worker_now(p_now), p_tenant_ids, p_ticket_ids, p_kinds) $$;

ALTER FUNCTION kefu_prune_intake_counters(timestamptz, integer) RENAME TO kefu_prune_intake_counters_at;
CREATE FUNCTION kefu_prune_intake_counters(p_now timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT kefu_prune_intake_counters_at(kefu_worker_now(p_now), least(greatest(p_limit, 0), 10000)) $$;

-- ---------------------------------------------------------------------------------------------
-- A stored setting can never make the surge detector's SQL fail. `(settings #>> …)::int` failed
-- for every tenant in the sweep when one tenant stored a number above 2^31 (or text): the three
-- functions that read surge settings are redefined unchanged except that they read them through
-- kefu_settings_int, which falls back to the default for anything that is not a whole number in
-- range.
CREATE FUNCTION kefu_settings_int(p_settings jsonb, p_path text[], p_default integer, p_min integer, p_max integer)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN jsonb_typeof(p_settings #> p_path) IS DISTINCT FROM 'number' THEN p_default
        WHEN (p_settings #> p_path)::numeric BETWEEN p_min AND p_max
         AND (p_settings #> p_path)::numeric = trunc((p_settings #> p_path)::numeric)
        THEN (p_settings #> p_path)::numeric::integer
        ELSE p_default
    END
$$;

CREATE OR REPLACE FUNCTION kefu_surge_candidates(p_since timestamptz, p_now timestamptz)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT m.tenant_id
    FROM intake_minutes m JOIN tenants t ON t.id = m.tenant_id
    WHERE m.minute >= p_since AND m.minute <= p_now
      AND m.minute > p_now - make_interval(mins => kefu_settings_int(t.settings, '{surge,window_minutes}', 15, 1, 10080))
    GROUP BY m.tenant_id, t.settings
    HAVING sum(m.count) >= kefu_settings_int(t.settings, '{surge,minimum_volume}', 20, 0, 2147483647)
    UNION
    SELECT tenant_id FROM surge_modes WHERE active
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NULL AND activate_at <= p_now
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NOT NULL AND returned_at IS NULL AND ends_at <= p_now
$$;

CREATE OR REPLACE FUNCTION kefu_intake_readings(p_tenants uuid[], p_now timestamptz)
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
        SELECT make_interval(mins => kefu_settings_int(t.settings, '{surge,window_minutes}', 15, 1, 10080)) AS win,
               date_trunc('hour', p_now, 'UTC') AS hour_start,
               date_trunc('hour', p_now - interval '168 hours', 'UTC') + interval '1 hour' AS first_full_hour,
               date_trunc('hour', p_now - make_interval(mins => kefu_settings_int(t.settings, '{surge,window_minutes}', 15, 1, 10080)), 'UTC') AS last_hour
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

CREATE OR REPLACE FUNCTION kefu_surge_readings(p_since timestamptz, p_now timestamptz)
RETURNS TABLE (tenant_id uuid, surge_settings text, active boolean, calm_since timestamptz, manual boolean,
               events_due boolean, channel text, live bigint, w1 bigint, w2 bigint, w3 bigint, w4 bigint,
               trailing_week bigint, first_minute timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH candidates AS MATERIALIZED (
        SELECT t.id, t.settings, make_interval(mins => kefu_settings_int(t.settings, '{surge,window_minutes}', 15, 1, 10080)) AS win
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

-- Every worker function: the worker's only.
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND p.proname IN ('kefu_claim_due_timers', 'kefu_act_on_sla_timers', 'kefu_act_on_sla_timers_at',
                                  'kefu_prune_intake_counters', 'kefu_prune_intake_counters_at',
                                  'kefu_surge_readings', 'kefu_surge_candidates') LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, kefu_app', fn);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION kefu_claim_due_timers(timestamptz, integer, interval) TO kefu_worker;
GRANT EXECUTE ON FUNCTION kefu_act_on_sla_timers(timestamptz, uuid[], uuid[], text[]) TO kefu_worker;
GRANT EXECUTE ON FUNCTION kefu_prune_intake_counters(timestamptz, integer) TO kefu_worker;
GRANT EXECUTE ON FUNCTION kefu_surge_readings(timestamptz, timestamptz) TO kefu_worker;
-- Invoker rights (row-level security applies); the surge readings call it as the definer.
GRANT EXECUTE ON FUNCTION kefu_intake_readings(uuid[], timestamptz) TO kefu_definer;

-- How many timers are marked failed, all tenants together: a number and no tenant data, for the
-- API's /metrics (kefu_timers_failed). A request-path function, like kefu_authenticate.
CREATE FUNCTION kefu_failed_timer_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT count(*) FROM ticket_timers WHERE failed_at IS NOT NULL AND done_at IS NULL $$;
REVOKE ALL ON FUNCTION kefu_failed_timer_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_failed_timer_count() TO kefu_app;

-- Every SECURITY DEFINER function is owned by kefu_definer (not a superuser) and pins its
-- search_path; a later migration's new one must do the same (SchemaRulesTests checks).
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO kefu_definer', fn);
    END LOOP;
END
$$;

-- And so is every one a later migration creates: an event trigger hands a new or replaced
-- SECURITY DEFINER function of the public schema to kefu_definer at the end of the statement,
-- so no migration can leave one running with the migrating superuser's rights.
CREATE FUNCTION kefu_hand_definer_functions_to_definer() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_event_trigger_ddl_commands() c JOIN pg_proc p ON p.oid = c.objid
              WHERE c.classid = 'pg_proc'::regclass AND p.prosecdef AND p.pronamespace = 'public'::regnamespace
                AND p.proowner <> 'kefu_definer'::regrole LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO kefu_definer', fn);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION kefu_hand_definer_functions_to_definer() FROM PUBLIC;
CREATE EVENT TRIGGER kefu_definer_owns_owner_rights ON ddl_command_end
    WHEN TAG IN ('CREATE FUNCTION', 'ALTER FUNCTION')
    EXECUTE FUNCTION kefu_hand_definer_functions_to_definer();

