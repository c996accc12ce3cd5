-- 025 deadlines of records that are not tickets, the problem feedback form, overdue post-incident
-- reviews, and merged tickets.

-- ---------------------------------------------------------------------------------------------
-- Deadline timers of records that are not tickets: a problem report must be submitted within
-- 24 h of being filed, a post-incident review within 48 h of the incident's end. They work like
-- ticket_timers (sql/004, sql/017): armed in the transaction that creates the record, finished
-- in the one that meets the deadline, leased by the worker across tenants
-- (kefu_claim_due_record_timers), acted on inside the record's tenant, retried with backoff and
-- marked failed after the retry cap. `record_id` names a row of the table `kind` says; there
-- is no foreign key (one column, two tables): a timer whose record is gone finishes without acting.
CREATE TABLE record_timers (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('problem_report', 'incident_review')),
    record_id     uuid NOT NULL,
    due_at        timestamptz NOT NULL,
    done_at       timestamptz,
    claimed_until timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    failures      integer NOT NULL DEFAULT 0,
    failed_at     timestamptz,
    last_error    text,
    PRIMARY KEY (tenant_id, kind, record_id)
);
CREATE INDEX record_timers_due_idx ON record_timers (due_at) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX record_timers_failed_idx ON record_timers (failed_at) WHERE failed_at IS NOT NULL AND done_at IS NULL;
SELECT kefu_isolate_tenant_table('record_timers');

-- Leases up to p_limit (at most 1,000) due record timers for p_lease (1 second to 10 minutes),
-- with the same clamps as kefu_claim_due_timers (sql/017). The worker's only.
CREATE FUNCTION kefu_claim_due_record_timers(p_now timestamptz, p_limit integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, kind text, record_id uuid, due_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    UPDATE record_timers t
    SET claimed_until = kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes'),
        attempts = t.attempts + 1
    FROM (
        SELECT tenant_id, kind, record_id FROM record_timers
        WHERE done_at IS NULL AND failed_at IS NULL AND due_at <= kefu_worker_now(p_now)
          AND (claimed_until IS NULL OR claimed_until < kefu_worker_now(p_now))
        ORDER BY due_at
        LIMIT least(greatest(p_limit, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE t.tenant_id = due.tenant_id AND t.kind = due.kind AND t.record_id = due.record_id
    RETURNING t.tenant_id, t.kind, t.record_id, t.due_at
$$;
REVOKE ALL ON FUNCTION kefu_claim_due_record_timers(timestamptz, integer, interval) FROM PUBLIC, kefu_app;
GRANT EXECUTE ON FUNCTION kefu_claim_due_record_timers(timestamptz, integer, interval) TO kefu_worker;

-- /metrics' kefu_timers_failed counts failed record timers too.
CREATE OR REPLACE FUNCTION kefu_failed_timer_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT (SELECT count(*) FROM ticket_timers WHERE failed_at IS NOT NULL AND done_at IS NULL)
         + (SELECT count(*) FROM record_timers WHERE failed_at IS NOT NULL AND done_at IS NULL)
$$;

-- ---------------------------------------------------------------------------------------------
-- The problem feedback form (third handling stage): what the problem is, how often it occurred
-- and in which tickets, how many customers it touched, the suggested fix and the responsible
-- department (department_id, sql/004). Filed `open` with what Kefu knows; a supervisor or QA
-- completes and submits it (due 24 h after filing: `overdue_at` records a missed deadline), the
-- responsible side accepts it and marks it done. Who may do which step: Authorization.swift.
ALTER TABLE problem_reports
    ADD COLUMN status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'accepted', 'done')),
    ADD COLUMN problem            text CHECK (length(problem) <= 10000),
    ADD COLUMN occurrences        integer CHECK (occurrences BETWEEN 1 AND 1000000),
    ADD COLUMN ticket_ids         uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(ticket_ids) <= 200),
    ADD COLUMN affected_customers integer CHECK (affected_customers BETWEEN 0 AND 100000000),
    ADD COLUMN suggested_fix      text CHECK (length(suggested_fix) <= 10000),
    ADD COLUMN overdue_at         timestamptz,
    ADD COLUMN submitted_at       timestamptz,
    ADD COLUMN submitted_by       uuid,
    ADD COLUMN accepted_at        timestamptz,
    ADD COLUMN accepted_by        uuid,
    ADD COLUMN done_at            timestamptz,
    ADD COLUMN done_by            uuid,
    ADD COLUMN updated_at         timestamptz,
    ADD FOREIGN KEY (tenant_id, submitted_by) REFERENCES agents (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, accepted_by) REFERENCES agents (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, done_by) REFERENCES agents (tenant_id, id);
UPDATE problem_reports SET occurrences = ticket_count, updated_at = created_at;
ALTER TABLE problem_reports ALTER COLUMN updated_at SET NOT NULL;
-- The list: newest filter first (status), keyset (created_at, id).
CREATE INDEX problem_reports_list_idx ON problem_reports (tenant_id, created_at, id);
CREATE INDEX problem_reports_status_idx ON problem_reports (tenant_id, status, created_at, id);

-- Reports filed before this migration get their deadline timer (run as the owner: a superuser
-- or BYPASSRLS owner sees every tenant's rows).
INSERT INTO record_timers (tenant_id, kind, record_id, due_at)
SELECT tenant_id, 'problem_report', id, due_at FROM problem_reports
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- A post-incident review not submitted by its due time (48 h after the incident ended): when
-- the worker found it late and reminded the supervisors.
ALTER TABLE incident_reviews ADD COLUMN overdue_at timestamptz;
INSERT INTO record_timers (tenant_id, kind, record_id, due_at)
SELECT tenant_id, 'incident_review', incident_id, due_at FROM incident_reviews WHERE submitted_at IS NULL
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Merged tickets: a duplicate is closed with close_reason 'merged' and points at the ticket it
-- was merged into (same tenant, same customer: checked by the application in the merge's
-- transaction). An ordinary close records 'resolved'; tickets closed before this migration
-- have no reason.
ALTER TABLE tickets
    ADD COLUMN close_reason text CHECK (close_reason IN ('resolved', 'merged')),
    ADD COLUMN merged_into  uuid,
    ADD FOREIGN KEY (tenant_id, merged_into) REFERENCES tickets (tenant_id, id),
    ADD CHECK ((close_reason = 'merged') = (merged_into IS NOT NULL)),
    ADD CHECK (merged_into IS DISTINCT FROM id);
-- The tickets merged into one (its conversation shows their messages too).
CREATE INDEX tickets_merged_into_idx ON tickets (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
