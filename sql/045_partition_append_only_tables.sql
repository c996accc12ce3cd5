-- 045 more monthly partitions (issue 16 §1): the next append-only tables become RANGE-partitioned
-- by month the way ticket_events is (sql/041):
--   delivery_attempts   on started_at  primary key (tenant_id, delivery_id, attempt, started_at)
--   ticket_sla_breaches on due_at      primary key unchanged (tenant_id, ticket_id, clock, due_at)
--   notifications       on created_at  primary key (tenant_id, id, created_at)
-- Every key keeps tenant_id first (Citus); a partitioned table's unique keys must contain the
-- partition key, hence the wider keys. Foreign keys, checks, indexes, the tenant policy (FORCE),
-- the grants and the triggers are those of the old tables; existing rows move over.
--
-- kefu_ensure_partitions (same signature, still called by `kefu migrate`) now makes the months
-- of every partitioned table, and kefu_partition_default_rows() counts the rows of every DEFAULT
-- partition; kefu_partition_default_rows_by_table() says which table they are in.

-- The old tables keep their rows until they are copied; their names (and their indexes', which
-- share one namespace with tables) move out of the way.
ALTER TABLE delivery_attempts RENAME TO delivery_attempts_unpartitioned;
ALTER TABLE delivery_attempts_unpartitioned RENAME CONSTRAINT delivery_attempts_pkey TO delivery_attempts_unpartitioned_pkey;

ALTER TABLE ticket_sla_breaches RENAME TO ticket_sla_breaches_unpartitioned;
ALTER TABLE ticket_sla_breaches_unpartitioned RENAME CONSTRAINT ticket_sla_breaches_pkey TO ticket_sla_breaches_unpartitioned_pkey;

ALTER TABLE notifications RENAME TO notifications_unpartitioned;
ALTER TABLE notifications_unpartitioned RENAME CONSTRAINT notifications_pkey TO notifications_unpartitioned_pkey;
ALTER INDEX notifications_recipient_idx RENAME TO notifications_unpartitioned_recipient_idx;
ALTER INDEX notifications_list_idx RENAME TO notifications_unpartitioned_list_idx;

CREATE TABLE delivery_attempts (
    tenant_id   uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempt     integer NOT NULL,
    seq         bigint NOT NULL DEFAULT nextval('kefu_delivery_attempt_seq'),
    started_at  timestamptz NOT NULL,
    latency_ms  double precision NOT NULL,
    status_code integer,
    error       text,
    PRIMARY KEY (tenant_id, delivery_id, attempt, started_at),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (started_at);
COMMENT ON TABLE delivery_attempts IS
    'Each webhook delivery attempt. Monthly RANGE partitions on started_at (delivery_attempts_pYYYYMM), made ahead by kefu_ensure_partitions; delivery_attempts_default is a safety net only.';
CREATE TABLE delivery_attempts_default PARTITION OF delivery_attempts DEFAULT;

CREATE TABLE ticket_sla_breaches (
    tenant_id   uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    clock       text NOT NULL CONSTRAINT ticket_sla_breaches_clock_check CHECK (clock ~ '^[a-z_]{1,40}$'),
    due_at      timestamptz NOT NULL,
    met_at      timestamptz,
    detected_at timestamptz NOT NULL,
    late_seconds double precision NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, clock, due_at),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (due_at);
COMMENT ON TABLE ticket_sla_breaches IS
    'Missed SLA clocks. Monthly RANGE partitions on due_at (ticket_sla_breaches_pYYYYMM), made ahead by kefu_ensure_partitions; ticket_sla_breaches_default is a safety net only.';
CREATE TABLE ticket_sla_breaches_default PARTITION OF ticket_sla_breaches DEFAULT;

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
    PRIMARY KEY (tenant_id, id, created_at),
    FOREIGN KEY (tenant_id, recipient_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (created_at);
CREATE INDEX notifications_recipient_idx ON notifications (tenant_id, recipient_id, created_at, id);
CREATE INDEX notifications_list_idx ON notifications (tenant_id, created_at, id);
COMMENT ON TABLE notifications IS
    'The notifications outbox. Monthly RANGE partitions on created_at (notifications_pYYYYMM), made ahead by kefu_ensure_partitions; notifications_default is a safety net only.';
CREATE TABLE notifications_default PARTITION OF notifications DEFAULT;

-- The partitioned tables and their partition columns: one list for making months and counting
-- the DEFAULT rows.
CREATE FUNCTION kefu_partitioned_tables() RETURNS TABLE (table_name text, partition_column text)
LANGUAGE sql IMMUTABLE
AS $$
    VALUES ('ticket_events', 'created_at'), ('delivery_attempts', 'started_at'),
           ('ticket_sla_breaches', 'due_at'), ('notifications', 'created_at')
$$;
REVOKE ALL ON FUNCTION kefu_partitioned_tables() FROM PUBLIC;

-- Creates the missing monthly partitions of every partitioned table from p_from's month through
-- p_through's month; returns how many it created. Same signature and rules as sql/041's: no
-- rights for the application roles on a partition, the tenant policy on each, and a month whose
-- range has rows in that table's DEFAULT partition is skipped with a warning.
CREATE OR REPLACE FUNCTION kefu_ensure_partitions(p_through timestamptz, p_from timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_table  text;
    v_column text;
    v_month  timestamptz;
    v_next   timestamptz;
    v_name   text;
    v_taken  boolean;
    v_made   integer := 0;
BEGIN
    FOR v_table, v_column IN SELECT table_name, partition_column FROM kefu_partitioned_tables() LOOP
        v_month := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        WHILE v_month <= p_through LOOP
            v_next := ((v_month AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
            v_name := v_table || '_p' || to_char(v_month AT TIME ZONE 'UTC', 'YYYYMM');
            IF to_regclass(v_name) IS NULL THEN
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= $1 AND %I < $2)', v_table || '_default', v_column, v_column)
                    INTO v_taken USING v_month, v_next;
                IF v_taken THEN
                    RAISE WARNING '%: rows of % are in the DEFAULT partition; % not created', v_table, to_char(v_month AT TIME ZONE 'UTC', 'YYYY-MM'), v_name;
                ELSE
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', v_name, v_table, v_month, v_next);
                    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, kefu_app, kefu_worker', v_name);
                    PERFORM kefu_isolate_tenant_table(v_name::regclass);
                    v_made := v_made + 1;
                END IF;
            END IF;
            v_month := v_next;
        END LOOP;
    END LOOP;
    RETURN v_made;
END
$$;

-- Rows in the safety-net partitions of all partitioned tables (normally 0): what a monitor alerts on.
CREATE OR REPLACE FUNCTION kefu_partition_default_rows() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT (SELECT count(*) FROM ticket_events_default) + (SELECT count(*) FROM delivery_attempts_default)
         + (SELECT count(*) FROM ticket_sla_breaches_default) + (SELECT count(*) FROM notifications_default)
$$;

-- The same count per partitioned table, for finding where the rows are.
CREATE FUNCTION kefu_partition_default_rows_by_table() RETURNS TABLE (table_name text, default_rows bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    VALUES ('ticket_events', (SELECT count(*) FROM ticket_events_default)),
           ('delivery_attempts', (SELECT count(*) FROM delivery_attempts_default)),
           ('ticket_sla_breaches', (SELECT count(*) FROM ticket_sla_breaches_default)),
           ('notifications', (SELECT count(*) FROM notifications_default))
$$;
ALTER FUNCTION kefu_partition_default_rows_by_table() OWNER TO kefu_definer;
REVOKE ALL ON FUNCTION kefu_partition_default_rows_by_table() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_partition_default_rows_by_table() TO kefu_worker;

-- The DEFAULT partitions: no rights for the application roles, the tenant policy on each.
DO $$
DECLARE
    v_table text;
BEGIN
    FOREACH v_table IN ARRAY ARRAY['delivery_attempts', 'ticket_sla_breaches', 'notifications'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, kefu_app, kefu_worker', v_table || '_default');
        PERFORM kefu_isolate_tenant_table((v_table || '_default')::regclass);
    END LOOP;
END
$$;

-- Partitions for every month that has rows, and the current month with the next two.
SELECT kefu_ensure_partitions(
    GREATEST(now() + interval '2 months', (SELECT max(started_at) FROM delivery_attempts_unpartitioned),
             (SELECT max(due_at) FROM ticket_sla_breaches_unpartitioned), (SELECT max(created_at) FROM notifications_unpartitioned)),
    LEAST(now(), (SELECT min(started_at) FROM delivery_attempts_unpartitioned),
          (SELECT min(due_at) FROM ticket_sla_breaches_unpartitioned), (SELECT min(created_at) FROM notifications_unpartitioned)));

-- The rows move (before the triggers: copying is not a new attempt, breach or notification).
INSERT INTO delivery_attempts (tenant_id, delivery_id, attempt, seq, started_at, latency_ms, status_code, error)
SELECT tenant_id, delivery_id, attempt, seq, started_at, latency_ms, status_code, error FROM delivery_attempts_unpartitioned;
INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
SELECT tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds FROM ticket_sla_breaches_unpartitioned;
INSERT INTO notifications (tenant_id, id, recipient_id, kind, ticket_id, message, payload, created_at, read_at)
SELECT tenant_id, id, recipient_id, kind, ticket_id, message, payload, created_at, read_at FROM notifications_unpartitioned;

-- The triggers (archive freeze, webhook outbox, reminders), the grants and the tenant policy of
-- each old table, as defined there; then the old table goes.
DO $$
DECLARE
    v_table text;
    v_old   regclass;
    r       record;
BEGIN
    FOREACH v_table IN ARRAY ARRAY['delivery_attempts', 'ticket_sla_breaches', 'notifications'] LOOP
        v_old := (v_table || '_unpartitioned')::regclass;
        FOR r IN SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = v_old AND NOT tgisinternal LOOP
            EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, v_old);
            EXECUTE replace(r.def, format(' ON public.%s ', v_old::text), format(' ON public.%I ', v_table));
        END LOOP;
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, kefu_app, kefu_worker, kefu_definer', v_table);
        FOR r IN SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END AS grantee, a.privilege_type
                 FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = v_old AND a.grantee <> c.relowner LOOP
            EXECUTE format('GRANT %s ON %I TO %s', r.privilege_type, v_table, r.grantee);
        END LOOP;
        EXECUTE format('DROP TABLE %s', v_old);
        PERFORM kefu_isolate_tenant_table(v_table::regclass);
    END LOOP;
END
$$;
