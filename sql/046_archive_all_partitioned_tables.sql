-- 046 `kefu archive export` for every monthly-partitioned table (issue 16 §1), not only
-- ticket_events: the 043 functions become table-aware. A table takes part when the catalog says
--   * it is a partitioned table in public, RANGE on one column of type timestamptz (the key),
--   * it has a `tenant_id uuid` column (what the retention check looks rows up by),
-- and of its partitions, those that are plain tables in public named `<table>_pYYYYMM` whose
-- bounds are exactly that month in UTC. Anything else (no tenant_id, other key types, other
-- names or bounds, DEFAULT, sub-partitioned) is left alone. New partitioned tables (045's
-- delivery_attempts, ticket_sla_breaches, notifications) are picked up with no change here.
--
-- Still the operator's functions (the owner role, which `kefu archive export` connects as):
-- REVOKE ALL FROM PUBLIC. Table, partition and column names come only from the catalog and
-- reach dynamic SQL only through format('%I').

DROP FUNCTION kefu_archive_retention_conflicts(timestamptz, integer, integer);
DROP FUNCTION kefu_archivable_partitions(timestamptz);

-- Every archivable-shaped monthly partition: its table, name, key column and month [starts, ends).
-- Session TimeZone/DateStyle are pinned so that the bound, as PostgreSQL prints it, can be
-- compared with the month the name says.
CREATE FUNCTION kefu_monthly_partitions()
RETURNS TABLE (table_name text, partition_name text, key_column text, starts timestamptz, ends timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
AS $$
    SELECT m.table_name, m.partition_name, m.key_column, m.starts, m.ends
    FROM (
        SELECT p.relname::text AS table_name, c.relname::text AS partition_name, k.attname::text AS key_column,
               pg_get_expr(c.relpartbound, c.oid) AS bound,
               to_date(right(c.relname, 6) || '01', 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC' AS starts,
               (to_date(right(c.relname, 6) || '01', 'YYYYMMDD') + interval '1 month')::timestamp AT TIME ZONE 'UTC' AS ends
        FROM pg_partitioned_table pt
        JOIN pg_class p ON p.oid = pt.partrelid
        JOIN pg_attribute k ON k.attrelid = p.oid AND k.attnum = pt.partattrs[0]
        JOIN pg_inherits i ON i.inhparent = p.oid
        JOIN pg_class c ON c.oid = i.inhrelid
        WHERE p.relnamespace = 'public'::regnamespace
          AND c.relnamespace = 'public'::regnamespace
          AND c.relkind = 'r'
          AND pt.partstrat = 'r' AND pt.partnatts = 1 AND pt.partattrs[0] <> 0
          AND k.atttypid = 'timestamptz'::regtype
          AND EXISTS (SELECT 1 FROM pg_attribute t
                      WHERE t.attrelid = p.oid AND t.attname = 'tenant_id' AND t.atttypid = 'uuid'::regtype
                        AND NOT t.attisdropped)
          AND length(c.relname) = length(p.relname) + 8
          AND left(c.relname, length(p.relname) + 2) = p.relname || '_p'
          AND right(c.relname, 6) ~ '^[0-9]{4}(0[1-9]|1[0-2])$'
    ) m
    WHERE m.bound = format('FOR VALUES FROM (%L) TO (%L)', m.starts, m.ends)
$$;
REVOKE ALL ON FUNCTION kefu_monthly_partitions() FROM PUBLIC;

-- The monthly partitions whose whole month ends on or before p_before and before now(): never
-- the current month, never DEFAULT. Oldest month first; within a month, by table name.
CREATE FUNCTION kefu_archivable_partitions(p_before timestamptz)
RETURNS TABLE (table_name text, partition_name text, key_column text, starts timestamptz, ends timestamptz)
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    SELECT m.table_name, m.partition_name, m.key_column, m.starts, m.ends
    FROM kefu_monthly_partitions() m
    WHERE m.ends <= p_before AND m.ends <= now()
    ORDER BY m.starts, m.table_name
$$;
REVOKE ALL ON FUNCTION kefu_archivable_partitions(timestamptz) FROM PUBLIC;

-- Why the months up to p_before cannot be archived yet: one row per (month, table, tenant)
-- where the tenant has rows in the table's month (by tenant_id and the partition key) and its
-- retention of `years` reaches past the month's end. p_min and p_max are the setting's range
-- (SettingRanges), handed in so SQL keeps no copy. Ordered by month, table, tenant slug.
CREATE FUNCTION kefu_archive_retention_conflicts(p_before timestamptz, p_min integer, p_max integer)
RETURNS TABLE (table_name text, partition_name text, tenant_id uuid, slug text, years integer, kept_until timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp
AS $$
DECLARE
    m record;
    v_tenants uuid[];
BEGIN
    FOR m IN SELECT * FROM kefu_archivable_partitions(p_before) LOOP
        SELECT array_agg(t.id) INTO v_tenants
        FROM tenants t
        WHERE m.ends > now() - make_interval(years => kefu_retention_years(t.settings, p_min, p_max));
        CONTINUE WHEN v_tenants IS NULL;
        EXECUTE format('SELECT array_agg(DISTINCT x.tenant_id) FROM %I x WHERE x.tenant_id = ANY($1) AND x.%I >= $2 AND x.%I < $3',
                       m.table_name, m.key_column, m.key_column)
            INTO v_tenants USING v_tenants, m.starts, m.ends;
        RETURN QUERY
            SELECT m.table_name, m.partition_name, t.id, t.slug, r.years, m.ends + make_interval(years => r.years)
            FROM tenants t
            CROSS JOIN LATERAL (SELECT kefu_retention_years(t.settings, p_min, p_max) AS years) r
            WHERE t.id = ANY(v_tenants)
            ORDER BY t.slug;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION kefu_archive_retention_conflicts(timestamptz, integer, integer) FROM PUBLIC;

-- Opens the archiving of one month in the caller's transaction: checks that p_partition is a
-- monthly partition as above (still attached), locks it in SHARE mode (no row can be added or
-- changed until the transaction ends; reads go on) and returns its row count.
CREATE OR REPLACE FUNCTION kefu_archive_lock_partition(p_partition text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM kefu_monthly_partitions() m WHERE m.partition_name = p_partition) THEN
        RAISE EXCEPTION 'no monthly partition %', p_partition USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', p_partition);
    EXECUTE format('SELECT count(*) FROM %I', p_partition) INTO v_rows;
    RETURN v_rows;
END
$$;
REVOKE ALL ON FUNCTION kefu_archive_lock_partition(text) FROM PUBLIC;

-- Ends the archiving of one month, in the same transaction: refuses unless the partition still
-- has exactly p_exported rows (what went to the file), then detaches it from its table and drops it.
CREATE OR REPLACE FUNCTION kefu_archive_drop_partition(p_partition text, p_exported bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows  bigint := kefu_archive_lock_partition(p_partition);
    v_table text := (SELECT m.table_name FROM kefu_monthly_partitions() m WHERE m.partition_name = p_partition);
BEGIN
    IF v_rows <> p_exported THEN
        RAISE EXCEPTION '% has % rows but % were exported; nothing dropped', p_partition, v_rows, p_exported
            USING ERRCODE = 'data_exception';
    END IF;
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', v_table, p_partition);
    EXECUTE format('DROP TABLE %I', p_partition);
END
$$;
REVOKE ALL ON FUNCTION kefu_archive_drop_partition(text, bigint) FROM PUBLIC;

-- The statement that writes one partition out, its name quoted from the catalog's spelling.
CREATE FUNCTION kefu_archive_copy_statement(p_partition text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    SELECT format('COPY public.%I TO STDOUT WITH (FORMAT csv, HEADER)', m.partition_name)
    FROM kefu_monthly_partitions() m WHERE m.partition_name = p_partition
$$;
REVOKE ALL ON FUNCTION kefu_archive_copy_statement(text) FROM PUBLIC;
