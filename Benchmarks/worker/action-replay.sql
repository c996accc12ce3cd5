-- Worker benchmark, diagnostics (pgbench -M simple, as kefu_app): one escalation of an overdue
-- first-response clock with the very statements, order and transaction the worker uses (see
-- diagnose-action.sql), one round trip each, on tickets from replay-setup.sql. What the
-- database sustains for this sequence with 2 connections and no Swift in the loop.
-- (The first line picks the ticket; the worker learns it from its claim instead.)
SELECT tenant_id AS tid, ticket_id AS kid, number AS num, priority AS prio FROM wb_replay WHERE n = (SELECT nextval('wb_replay_seq')::integer) \gset
BEGIN \; SET LOCAL app.tenant_id = ':tid';
SELECT due_at AS due FROM ticket_timers WHERE tenant_id = ':tid' AND ticket_id = ':kid' AND kind = 'sla:first_response' AND done_at IS NULL AND due_at <= now() FOR UPDATE SKIP LOCKED \gset
SELECT t.id, t.tenant_id, t.number, 'T-' || CASE WHEN t.number < 1000000 THEN lpad(t.number::text, 6, '0') ELSE t.number::text END AS reference, t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at, t.expected_resolution_at, t.category, t.priority, t.status, t.skill, t.tier, t.owner_id, t.first_owner_id, t.department_id, t.department_due_at, ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids, t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count, t.created_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at, t.closed_at, t.archived_at, t.updated_at, t.channel_response_due_at, t.first_response_due_at, t.plan_due_at, t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached FROM tickets t WHERE t.tenant_id = ':tid' AND t.id = ':kid' FOR UPDATE OF t;
INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds) VALUES (':tid', ':kid', 'first_response', ':due', NULL, now(), 60) ON CONFLICT DO NOTHING;
UPDATE tickets SET breached = true WHERE tenant_id = ':tid' AND id = ':kid';
INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at) VALUES (':tid', ':kid', 'system', NULL, 'sla_breached', NULL, '{"clock":"first_response","due_at":"2026-01-01T00-00-00Z","late_seconds":60,"met_at":null}'::jsonb, now());
SELECT array_agg(id ORDER BY created_at)::text AS sups FROM agents WHERE tenant_id = ':tid' AND active AND role = 'supervisor' AND duty_status = 'on_duty' \gset
INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at) SELECT ':tid', unnest(':sups'::uuid[]), 'sla_breach', ':kid', 'T-:num (:prio) missed its first response target', now();
INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at) VALUES (':tid', ':kid', 'system', NULL, 'sla_escalated', NULL, '{"clock":"first_response","due_at":"2026-01-01T00-00-00Z","supervisors":2}'::jsonb, now());
UPDATE ticket_timers SET done_at = now(), last_error = NULL WHERE tenant_id = ':tid' AND ticket_id = ':kid' AND kind = 'sla:first_response';
COMMIT;
