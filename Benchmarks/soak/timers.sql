-- Soak, after the bulk load (as the owner): the pending SLA timers a real deployment carries for
-- its open work. Every open bulk ticket (new, assigned, in progress, escalated) gets its
-- first-response and progress timers, due 1 to 30 days ahead, so the worker's sweep has a full
-- timer table to look through and nothing due during the soak.
\set ON_ERROR_STOP on
SELECT setseed(0.3) \g /dev/null
INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at)
SELECT t.tenant_id, t.id, k.kind, now() + interval '1 day' + random() * interval '29 days'
FROM tickets t
CROSS JOIN (VALUES ('sla:first_response'), ('sla:progress')) k(kind)
WHERE t.status IN ('new', 'assigned', 'in_progress', 'escalated');
VACUUM (ANALYZE) ticket_timers;
