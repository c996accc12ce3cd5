-- Worker benchmark, diagnostics: :n more open tickets (not among the measured ones) get an
-- overdue first-response clock, for the EXPLAIN of one escalation and the statement count of a
-- sweep. Prints one of them (tenant_id=…, ticket_id=…, number=…, priority=…).
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS wb_diag;
CREATE TABLE wb_diag AS
SELECT t.tenant_id, t.id AS ticket_id, t.number, t.priority FROM tickets t
WHERE t.status IN ('new', 'assigned') AND t.first_response_at IS NULL AND t.sla_paused_at IS NULL AND NOT t.breached
  AND NOT EXISTS (SELECT 1 FROM wb_due d WHERE d.tenant_id = t.tenant_id AND d.ticket_id = t.id)
ORDER BY t.number DESC, t.tenant_id
LIMIT :n;
REVOKE ALL ON wb_diag FROM kefu_app;
BEGIN;
UPDATE tickets t SET first_response_due_at = now() - interval '1 minute'
FROM wb_diag d WHERE t.tenant_id = d.tenant_id AND t.id = d.ticket_id;
UPDATE ticket_timers tt SET due_at = now() - interval '1 minute'
FROM wb_diag d WHERE tt.tenant_id = d.tenant_id AND tt.ticket_id = d.ticket_id AND tt.kind = 'sla:first_response';
COMMIT;
SELECT tenant_id, ticket_id, number, priority FROM wb_diag ORDER BY tenant_id, ticket_id LIMIT 1;
