-- Worker benchmark, what-if (NOT Kefu code; created only in the benchmark's throwaway cluster):
-- the first-response escalation of up to p_limit due timers as ONE set-based statement, the way
-- kefu_claim_due_timers already crosses tenants with owner rights. Same rows as the worker
-- writes per timer: breach (+ flag, sla_breached event), one notification per supervisor (on
-- duty -> any supervisor -> admins), sla_escalated event, timer done. It only knows the
-- first-response clock; it measures what batching saves, it is not a drop-in replacement.
\set ON_ERROR_STOP on
CREATE OR REPLACE FUNCTION wb_escalate_batch(p_limit integer) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
WITH due AS (
    SELECT tt.tenant_id, tt.ticket_id FROM ticket_timers tt
    WHERE tt.done_at IS NULL AND tt.due_at <= now() AND tt.kind = 'sla:first_response'
      AND (tt.claimed_until IS NULL OR tt.claimed_until < now())
    ORDER BY tt.due_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
), overdue AS (
    SELECT t.tenant_id, t.id, t.number, t.priority, t.first_response_due_at AS due_at
    FROM tickets t JOIN due d ON t.tenant_id = d.tenant_id AND t.id = d.ticket_id
    WHERE t.status IN ('new', 'assigned', 'in_progress', 'waiting_on_customer', 'escalated')
      AND t.sla_paused_at IS NULL AND t.first_response_at IS NULL AND t.first_response_due_at <= now()
    FOR UPDATE OF t
), breach AS (
    INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
    SELECT tenant_id, id, 'first_response', due_at, NULL, now(), extract(epoch FROM now() - due_at) FROM overdue
    ON CONFLICT DO NOTHING
    RETURNING tenant_id, ticket_id, due_at, late_seconds
), flagged AS (
    UPDATE tickets t SET breached = true FROM breach b WHERE t.tenant_id = b.tenant_id AND t.id = b.ticket_id RETURNING 1
), breached_events AS (
    INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
    SELECT tenant_id, ticket_id, 'system', 'sla_breached',
           jsonb_build_object('clock', 'first_response', 'due_at', due_at, 'met_at', NULL, 'late_seconds', late_seconds), now()
    FROM breach RETURNING 1
), candidates AS (
    SELECT a.tenant_id, a.id,
           CASE WHEN a.role = 'supervisor' AND a.duty_status = 'on_duty' THEN 1 WHEN a.role = 'supervisor' THEN 2 ELSE 3 END AS rank
    FROM agents a WHERE a.active AND a.role IN ('supervisor', 'admin') AND a.tenant_id IN (SELECT tenant_id FROM overdue)
), supervisors AS (
    SELECT tenant_id, id FROM (SELECT c.*, min(rank) OVER (PARTITION BY tenant_id) AS best FROM candidates c) x WHERE rank = best
), notified AS (
    INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
    SELECT o.tenant_id, s.id, 'sla_breach', o.id,
           format('T-%s (%s) missed its first response target', lpad(o.number::text, 6, '0'), o.priority), now()
    FROM overdue o JOIN supervisors s USING (tenant_id) RETURNING 1
), escalated_events AS (
    INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
    SELECT o.tenant_id, o.id, 'system', 'sla_escalated',
           jsonb_build_object('clock', 'first_response', 'due_at', o.due_at,
                              'supervisors', (SELECT count(*) FROM supervisors s WHERE s.tenant_id = o.tenant_id)), now()
    FROM overdue o RETURNING 1
), done AS (
    UPDATE ticket_timers tt SET done_at = now(), attempts = tt.attempts + 1
    FROM due d WHERE tt.tenant_id = d.tenant_id AND tt.ticket_id = d.ticket_id AND tt.kind = 'sla:first_response'
    RETURNING 1
)
SELECT count(*)::integer FROM done
$$;
REVOKE ALL ON FUNCTION wb_escalate_batch(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wb_escalate_batch(integer) TO kefu_app;
