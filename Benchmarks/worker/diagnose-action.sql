-- Worker benchmark, diagnostics: EXPLAIN (ANALYZE, BUFFERS) of every statement the worker runs
-- for one overdue first-response clock (TimerSweeper.fire -> TimerActions.slaClock ->
-- TicketStore / NotificationStore), in order, as kefu_app under row-level security, in one
-- transaction that is rolled back. psql -v tid=<tenant uuid> -v kid=<ticket uuid>.
-- Statement 0 (BEGIN; SET LOCAL app.tenant_id) and COMMIT are round trips of their own.
\set ON_ERROR_STOP on
\pset pager off
BEGIN;
SET LOCAL ROLE kefu_app;
SET LOCAL app.tenant_id = :'tid';

\echo '## 1 lock the timer: SELECT due_at FROM ticket_timers ... FOR UPDATE SKIP LOCKED'
EXPLAIN (ANALYZE, BUFFERS)
SELECT due_at FROM ticket_timers
WHERE tenant_id = :'tid' AND ticket_id = :'kid' AND kind = 'sla:first_response' AND done_at IS NULL AND due_at <= now()
FOR UPDATE SKIP LOCKED;

\echo '## 2 re-read the ticket: SELECT <columns, tag_ids subquery> FROM tickets t ... FOR UPDATE OF t'
EXPLAIN (ANALYZE, BUFFERS)
SELECT t.id, t.tenant_id, t.number,
    'T-' || CASE WHEN t.number < 1000000 THEN lpad(t.number::text, 6, '0') ELSE t.number::text END AS reference,
    t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at,
    t.expected_resolution_at, t.category, t.priority, t.status, t.skill, t.tier, t.owner_id, t.first_owner_id,
    t.department_id, t.department_due_at,
    ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids,
    t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count,
    t.created_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at,
    t.closed_at, t.archived_at, t.updated_at, t.channel_response_due_at, t.first_response_due_at, t.plan_due_at,
    t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached
FROM tickets t WHERE t.tenant_id = :'tid' AND t.id = :'kid' FOR UPDATE OF t;
SELECT first_response_due_at AS due FROM tickets WHERE tenant_id = :'tid' AND id = :'kid' \gset

\echo '## 3 record the breach: INSERT INTO ticket_sla_breaches ... ON CONFLICT DO NOTHING'
EXPLAIN (ANALYZE, BUFFERS)
INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
VALUES (:'tid', :'kid', 'first_response', :'due', NULL, now(), 60)
ON CONFLICT DO NOTHING;

\echo '## 4 flag the ticket: UPDATE tickets SET breached = true'
EXPLAIN (ANALYZE, BUFFERS)
UPDATE tickets SET breached = true WHERE tenant_id = :'tid' AND id = :'kid';

\echo '## 5 audit: INSERT INTO ticket_events (sla_breached)'
EXPLAIN (ANALYZE, BUFFERS)
INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at)
VALUES (:'tid', :'kid', 'system', NULL, 'sla_breached', NULL,
        '{"clock":"first_response","due_at":"2026-01-01T00:00:00Z","late_seconds":60,"met_at":null}'::jsonb, now());

\echo '## 6 supervisors: SELECT id FROM agents WHERE ... on duty ORDER BY created_at'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id FROM agents WHERE tenant_id = :'tid' AND active AND role = 'supervisor' AND duty_status = 'on_duty' ORDER BY created_at;
SELECT array_agg(id ORDER BY created_at)::text AS sups FROM agents
WHERE tenant_id = :'tid' AND active AND role = 'supervisor' AND duty_status = 'on_duty' \gset

\echo '## 7 notify: INSERT INTO notifications SELECT ..., unnest(supervisors)'
EXPLAIN (ANALYZE, BUFFERS)
INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
SELECT :'tid', unnest(:'sups'::uuid[]), 'sla_breach', :'kid', 'T-000001 (P3) missed its first response target', now();

\echo '## 8 audit: INSERT INTO ticket_events (sla_escalated)'
EXPLAIN (ANALYZE, BUFFERS)
INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at)
VALUES (:'tid', :'kid', 'system', NULL, 'sla_escalated', NULL,
        '{"clock":"first_response","due_at":"2026-01-01T00:00:00Z","supervisors":2}'::jsonb, now());

\echo '## 9 mark the timer done: UPDATE ticket_timers SET done_at'
EXPLAIN (ANALYZE, BUFFERS)
UPDATE ticket_timers SET done_at = now(), last_error = NULL
WHERE tenant_id = :'tid' AND ticket_id = :'kid' AND kind = 'sla:first_response';

ROLLBACK;
