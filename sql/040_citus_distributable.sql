-- 040 distributable by tenant_id (issue 16 §3). Two things in the schema could not be created on
-- Citus tables distributed by tenant_id (sql/citus/distribute.sql, docs/SCALING.md):
--
-- 1. A unique index without the distribution column: api_keys.key_hash was unique across all
--    tenants (sql/017). It becomes unique per tenant, with key_hash first so the key lookup by
--    hash (kefu_authenticate) still walks it. Across tenants a hash stays unique because the
--    key is 40 random base62 characters (~238 bits, APIKeyService.generateKey): two equal keys
--    are not a risk to guard with an index.
-- 2. ON DELETE SET NULL on a foreign key that includes the distribution column: Citus refuses it
--    even with PostgreSQL 15's column list (citusdata/citus#7132). These five keys become plain
--    (NO ACTION). Nothing deletes a referenced agent, department, ticket, training session or
--    scheduled event while rows still point at it: the roles that run Kefu cannot DELETE those
--    tables, and kefu_delete_tenant (sql/014) deletes every referencing table before the table it
--    references. So the SET NULL actions never fired; a delete that would have nulled a reference
--    now fails instead of losing it.

DROP INDEX api_keys_key_hash_key;
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash, tenant_id);

ALTER TABLE agent_complaints
    DROP CONSTRAINT agent_complaints_tenant_id_ticket_id_fkey,
    ADD CONSTRAINT agent_complaints_tenant_id_ticket_id_fkey
        FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id);
ALTER TABLE agents
    DROP CONSTRAINT agents_tenant_id_department_id_fkey,
    ADD CONSTRAINT agents_tenant_id_department_id_fkey
        FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id);
ALTER TABLE enrolments
    DROP CONSTRAINT enrolments_tenant_id_session_id_fkey,
    ADD CONSTRAINT enrolments_tenant_id_session_id_fkey
        FOREIGN KEY (tenant_id, session_id) REFERENCES training_sessions (tenant_id, id);
ALTER TABLE incidents
    DROP CONSTRAINT incidents_tenant_id_event_id_fkey,
    ADD CONSTRAINT incidents_tenant_id_event_id_fkey
        FOREIGN KEY (tenant_id, event_id) REFERENCES scheduled_events (tenant_id, id);
ALTER TABLE kb_articles
    DROP CONSTRAINT kb_articles_tenant_id_author_id_fkey,
    ADD CONSTRAINT kb_articles_tenant_id_author_id_fkey
        FOREIGN KEY (tenant_id, author_id) REFERENCES agents (tenant_id, id);

-- Timer claims that Citus can run. Citus does not run `SELECT … FOR UPDATE SKIP LOCKED` over
-- several shards, and the claim of sql/017 locked the oldest due timers of all tenants in one
-- statement. Now a read without locks finds the oldest due timers (the window: twice the batch,
-- so that a second worker finds work past the first one's), and each tenant's share of them is
-- then locked and leased by a statement that names that tenant (a router query on Citus, one
-- shard), oldest tenant first, until the batch is full. Same signature, clamps and result as
-- before: the worker is unchanged. On one node the statements use the same indexes as before
-- (the window walks ticket_timers_due_idx, each claim the primary key).
CREATE OR REPLACE FUNCTION kefu_claim_due_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, ticket_id uuid, kind text, due_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    v_now     timestamptz := kefu_worker_now(p_now);
    v_until   timestamptz := kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes');
    v_left    integer := least(greatest(p_limit, 0), 1000);
    v_pass    integer;
    v_tenant  uuid;
    v_share   integer;
    v_tickets uuid[];
    v_kinds   text[];
    v_claimed integer;
BEGIN
    -- Pass 1 takes each tenant's timers among the oldest v_left (what one statement over all
    -- tenants took); pass 2 fills what other workers' locks left over from the rest of the window.
    FOR v_pass IN 1..2 LOOP
        EXIT WHEN v_left <= 0;
        FOR v_tenant, v_share, v_tickets, v_kinds IN
            SELECT w.tenant_id, CASE WHEN v_pass = 1 THEN count(*) FILTER (WHERE w.rank <= v_left) ELSE v_left END,
                   array_agg(w.ticket_id), array_agg(w.kind)
            FROM (
                SELECT x.tenant_id, x.ticket_id, x.kind, x.due_at, row_number() OVER (ORDER BY x.due_at) AS rank
                FROM ticket_timers x
                WHERE x.done_at IS NULL AND x.failed_at IS NULL AND x.due_at <= v_now
                  AND (x.claimed_until IS NULL OR x.claimed_until < v_now)
                ORDER BY x.due_at
                LIMIT 2 * v_left
            ) w
            GROUP BY w.tenant_id
            ORDER BY min(w.due_at)
        LOOP
            EXIT WHEN v_left <= 0;
            CONTINUE WHEN v_share = 0;
            RETURN QUERY
            UPDATE ticket_timers t
            SET claimed_until = v_until, attempts = t.attempts + 1
            FROM (
                SELECT x.tenant_id, x.ticket_id, x.kind FROM ticket_timers x
                JOIN unnest(v_tickets, v_kinds) AS w(ticket_id, kind) ON w.ticket_id = x.ticket_id AND w.kind = x.kind
                WHERE x.tenant_id = v_tenant AND x.done_at IS NULL AND x.failed_at IS NULL AND x.due_at <= v_now
                  AND (x.claimed_until IS NULL OR x.claimed_until < v_now)
                ORDER BY x.due_at
                LIMIT least(v_share, v_left)
                FOR UPDATE OF x SKIP LOCKED
            ) due
            WHERE t.tenant_id = due.tenant_id AND t.ticket_id = due.ticket_id AND t.kind = due.kind
            RETURNING t.tenant_id, t.ticket_id, t.kind, t.due_at;
            GET DIAGNOSTICS v_claimed = ROW_COUNT;
            v_left := v_left - v_claimed;
        END LOOP;
    END LOOP;
END
$$;
