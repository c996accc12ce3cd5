-- 041 partitioned audit trail: ticket_events becomes RANGE-partitioned by month on created_at.
--
-- The audit trail only grows; monthly partitions let request-path reads prune to the months a
-- ticket lives in and let old months be exported and dropped whole (`kefu archive export`).
-- Every key keeps tenant_id first (Citus-compatible); the primary key gains created_at because
-- a partitioned table's unique keys must contain the partition key.
--
-- Partitions are made ahead by kefu_ensure_partitions (called here, by `kefu migrate`). A
-- DEFAULT partition is a safety net only (an insert never fails): rows landing there are
-- counted by kefu_partition_default_rows() and a month whose range already has rows in the
-- DEFAULT partition is not created (PostgreSQL would refuse it) until they are archived.

ALTER TABLE ticket_events RENAME TO ticket_events_unpartitioned;
ALTER TABLE ticket_events_unpartitioned RENAME CONSTRAINT ticket_events_pkey TO ticket_events_unpartitioned_pkey;
ALTER INDEX ticket_events_ticket_idx RENAME TO ticket_events_unpartitioned_ticket_idx;
ALTER INDEX ticket_events_stream_idx RENAME TO ticket_events_unpartitioned_stream_idx;
ALTER TABLE ticket_events_unpartitioned RENAME CONSTRAINT ticket_events_tenant_id_ticket_id_fkey TO ticket_events_unpartitioned_ticket_fkey;

-- seq stays increasing: a plain sequence continues where the identity stopped.
CREATE SEQUENCE ticket_events_seq_counter;

CREATE TABLE ticket_events (
    tenant_id  uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    seq        bigint NOT NULL DEFAULT nextval('ticket_events_seq_counter'),
    actor_kind text NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    actor_id   uuid,
    kind       text NOT NULL,
    before     jsonb,
    after      jsonb,
    created_at timestamptz NOT NULL,
    -- The writing transaction (sql/038): the live stream's cursor.
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (tenant_id, id, created_at),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE ticket_events_seq_counter OWNED BY ticket_events.seq;
CREATE INDEX ticket_events_ticket_idx ON ticket_events (tenant_id, ticket_id, seq);
CREATE INDEX ticket_events_stream_idx ON ticket_events (tenant_id, xid, seq);
COMMENT ON TABLE ticket_events IS
    'The audit trail: every change of a ticket. Monthly RANGE partitions on created_at (ticket_events_pYYYYMM), made ahead by kefu_ensure_partitions; ticket_events_default is a safety net only.';
CREATE TABLE ticket_events_default PARTITION OF ticket_events DEFAULT;

-- Creates the missing monthly partitions from p_from's month through p_through's month; returns
-- how many it created. Partitions are reachable only through the parent (its row-level
-- security and grants apply there): the application roles have no rights on a partition, and
-- each partition carries the tenant policy too (defence in depth).
CREATE FUNCTION kefu_ensure_partitions(p_through timestamptz, p_from timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    v_month timestamptz := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    v_next  timestamptz;
    v_name  text;
    v_made  integer := 0;
BEGIN
    WHILE v_month <= p_through LOOP
        v_next := ((v_month AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
        v_name := 'ticket_events_p' || to_char(v_month AT TIME ZONE 'UTC', 'YYYYMM');
        IF to_regclass(v_name) IS NULL THEN
            IF EXISTS (SELECT 1 FROM ticket_events_default WHERE created_at >= v_month AND created_at < v_next) THEN
                RAISE WARNING 'ticket_events: rows of % are in the DEFAULT partition; % not created', to_char(v_month AT TIME ZONE 'UTC', 'YYYY-MM'), v_name;
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF ticket_events FOR VALUES FROM (%L) TO (%L)', v_name, v_month, v_next);
                EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, kefu_app, kefu_worker', v_name);
                PERFORM kefu_isolate_tenant_table(v_name::regclass);
                v_made := v_made + 1;
            END IF;
        END IF;
        v_month := v_next;
    END LOOP;
    RETURN v_made;
END
$$;
REVOKE ALL ON FUNCTION kefu_ensure_partitions(timestamptz, timestamptz) FROM PUBLIC;

-- Rows in the safety-net partition (normally 0): what a monitor alerts on.
CREATE FUNCTION kefu_partition_default_rows() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT count(*) FROM ticket_events_default $$;
ALTER FUNCTION kefu_partition_default_rows() OWNER TO kefu_definer;
REVOKE ALL ON FUNCTION kefu_partition_default_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_partition_default_rows() TO kefu_worker;

-- Partitions for every month that has rows, and the current month with the next two.
SELECT kefu_ensure_partitions(now() + interval '2 months',
                              LEAST(now(), (SELECT min(created_at) FROM ticket_events_unpartitioned)));
REVOKE ALL ON ticket_events_default FROM PUBLIC, kefu_app, kefu_worker;
SELECT kefu_isolate_tenant_table('ticket_events_default');

INSERT INTO ticket_events (tenant_id, ticket_id, id, seq, actor_kind, actor_id, kind, before, after, created_at, xid)
SELECT tenant_id, ticket_id, id, seq, actor_kind, actor_id, kind, before, after, created_at, xid
FROM ticket_events_unpartitioned ORDER BY seq;
SELECT setval('ticket_events_seq_counter', GREATEST((SELECT max(seq) FROM ticket_events_unpartitioned), 0) + 1, false);

-- The triggers later migrations put on the old table (archive freeze, webhook outbox), as defined.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger
             WHERE tgrelid = 'ticket_events_unpartitioned'::regclass AND NOT tgisinternal LOOP
        EXECUTE format('DROP TRIGGER %I ON ticket_events_unpartitioned', r.tgname);
        EXECUTE replace(r.def, ' ON public.ticket_events_unpartitioned ', ' ON public.ticket_events ');
    END LOOP;
END
$$;

DROP TABLE ticket_events_unpartitioned;

SELECT kefu_isolate_tenant_table('ticket_events');
GRANT SELECT, INSERT ON ticket_events TO kefu_app;
REVOKE UPDATE, DELETE, TRUNCATE ON ticket_events FROM kefu_app;
GRANT USAGE, SELECT ON SEQUENCE ticket_events_seq_counter TO kefu_app, kefu_definer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ticket_events TO kefu_definer;
