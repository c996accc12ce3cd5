-- 043 archiving old months of the audit trail (issue 16 §1): `kefu archive export --before DATE`
-- writes each whole monthly partition of ticket_events to a CSV file and detaches and drops it,
-- unless a tenant's retention setting (`retention.service_records_years`) still covers the month.
--
-- These functions are the operator's (the owner role, which `kefu archive export` connects as,
-- like `kefu migrate`): no application role may call them. Partition names come only from the
-- catalog and are quoted with format('%I') wherever they reach dynamic SQL.

-- A tenant's retention in whole years, as Swift reads it (SettingRanges: clamped into
-- [p_min, p_max], rounded), or NULL when it has none or the stored value is not a number.
CREATE FUNCTION kefu_retention_years(p_settings jsonb, p_min integer, p_max integer)
RETURNS integer
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN jsonb_typeof(p_settings #> '{retention,service_records_years}') IS DISTINCT FROM 'number' THEN NULL
        ELSE least(greatest(round((p_settings #>> '{retention,service_records_years}')::numeric), p_min), p_max)::integer
    END
$$;
REVOKE ALL ON FUNCTION kefu_retention_years(jsonb, integer, integer) FROM PUBLIC;

-- The monthly partitions of ticket_events (ticket_events_pYYYYMM, attached) whose whole range
-- ends on or before p_before and before now(): never the current month, never DEFAULT.
CREATE FUNCTION kefu_archivable_partitions(p_before timestamptz)
RETURNS TABLE (partition_name text, starts timestamptz, ends timestamptz)
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    SELECT m.relname::text, m.starts, m.ends
    FROM (
        SELECT c.relname,
               to_date(substr(c.relname, 16) || '01', 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC' AS starts,
               (to_date(substr(c.relname, 16) || '01', 'YYYYMMDD') + interval '1 month')::timestamp AT TIME ZONE 'UTC' AS ends
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'ticket_events'::regclass
          AND c.relname ~ '^ticket_events_p[0-9]{6}$'
    ) m
    WHERE m.ends <= p_before AND m.ends <= now()
    ORDER BY m.starts
$$;
REVOKE ALL ON FUNCTION kefu_archivable_partitions(timestamptz) FROM PUBLIC;

-- Why the months up to p_before cannot be archived yet: one row per (month, tenant) where the
-- tenant has events in the month and its retention of `years` reaches past the month's end.
-- p_min and p_max are the setting's range (SettingRanges), handed in so SQL keeps no copy.
CREATE FUNCTION kefu_archive_retention_conflicts(p_before timestamptz, p_min integer, p_max integer)
RETURNS TABLE (partition_name text, tenant_id uuid, slug text, years integer, kept_until timestamptz)
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    SELECT m.partition_name, t.id, t.slug, r.years, m.ends + make_interval(years => r.years)
    FROM kefu_archivable_partitions(p_before) m
    CROSS JOIN tenants t
    CROSS JOIN LATERAL (SELECT kefu_retention_years(t.settings, p_min, p_max) AS years) r
    WHERE r.years IS NOT NULL
      AND m.ends > now() - make_interval(years => r.years)
      AND EXISTS (SELECT 1 FROM ticket_events e
                  WHERE e.tenant_id = t.id AND e.created_at >= m.starts AND e.created_at < m.ends)
    ORDER BY m.partition_name, t.slug
$$;
REVOKE ALL ON FUNCTION kefu_archive_retention_conflicts(timestamptz, integer, integer) FROM PUBLIC;

-- Opens the archiving of one month in the caller's transaction: checks that p_partition is an
-- attached monthly partition of ticket_events, locks it in SHARE mode (no row can be added or
-- changed until the transaction ends; reads go on) and returns its row count.
CREATE FUNCTION kefu_archive_lock_partition(p_partition text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent = 'ticket_events'::regclass AND c.relname = p_partition
                     AND c.relname ~ '^ticket_events_p[0-9]{6}$') THEN
        RAISE EXCEPTION 'ticket_events has no monthly partition %', p_partition USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', p_partition);
    EXECUTE format('SELECT count(*) FROM %I', p_partition) INTO v_rows;
    RETURN v_rows;
END
$$;
REVOKE ALL ON FUNCTION kefu_archive_lock_partition(text) FROM PUBLIC;

-- Ends the archiving of one month, in the same transaction: refuses unless the partition still
-- has exactly p_exported rows (what went to the file), then detaches and drops it.
CREATE FUNCTION kefu_archive_drop_partition(p_partition text, p_exported bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows bigint := kefu_archive_lock_partition(p_partition);
BEGIN
    IF v_rows <> p_exported THEN
        RAISE EXCEPTION '% has % rows but % were exported; nothing dropped', p_partition, v_rows, p_exported
            USING ERRCODE = 'data_exception';
    END IF;
    EXECUTE format('ALTER TABLE ticket_events DETACH PARTITION %I', p_partition);
    EXECUTE format('DROP TABLE %I', p_partition);
END
$$;
REVOKE ALL ON FUNCTION kefu_archive_drop_partition(text, bigint) FROM PUBLIC;
