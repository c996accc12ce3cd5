-- Retention of the surge detector's intake counters. intake_minutes and intake_hours gain a row
-- per tenant, channel and minute (hour) with intake and were never pruned. The detector reads
-- minutes up to 35 days back (840 hours: where a tenant's history starts) and hours up to 4 weeks
-- back (the same hour 1–4 weeks ago); nothing else reads them. Rows older than 36 days are
-- deleted by the worker through this function, a bounded batch per call (both tables are indexed
-- by time). Owner rights: the rows span every tenant, and the function touches nothing else.
CREATE FUNCTION kefu_prune_intake_counters(p_now timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH old_minutes AS (
        DELETE FROM intake_minutes WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM intake_minutes WHERE minute < p_now - interval '36 days' ORDER BY minute LIMIT p_limit))
        RETURNING 1
    ), old_hours AS (
        DELETE FROM intake_hours WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM intake_hours WHERE hour < p_now - interval '36 days' ORDER BY hour LIMIT p_limit))
        RETURNING 1
    )
    SELECT ((SELECT count(*) FROM old_minutes) + (SELECT count(*) FROM old_hours))::integer
$$;
REVOKE ALL ON FUNCTION kefu_prune_intake_counters(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_prune_intake_counters(timestamptz, integer) TO kefu_app;
