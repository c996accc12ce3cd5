-- Worker benchmark, diagnostics (psql -v n=…): :n more open tickets, not used before (not in
-- wb_due or wb_diag, not breached, clock not yet overdue), get an overdue first-response clock.
-- Numbered 1…n in wb_replay: action-replay.sql and action-two-trips.sql take them in order from
-- a sequence, so every replayed escalation hits a ticket of its own.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS wb_replay;
DROP SEQUENCE IF EXISTS wb_replay_seq;
CREATE TABLE wb_replay AS
SELECT row_number() OVER (ORDER BY t.number, t.tenant_id)::integer AS n, t.tenant_id, t.id AS ticket_id, t.number, t.priority
FROM tickets t
WHERE t.status IN ('new', 'assigned') AND t.first_response_at IS NULL AND t.sla_paused_at IS NULL AND NOT t.breached
  AND t.first_response_due_at > now()
  AND NOT EXISTS (SELECT 1 FROM wb_due d WHERE d.tenant_id = t.tenant_id AND d.ticket_id = t.id)
  AND NOT EXISTS (SELECT 1 FROM wb_diag d WHERE d.tenant_id = t.tenant_id AND d.ticket_id = t.id)
ORDER BY t.number, t.tenant_id
LIMIT :n;
ALTER TABLE wb_replay ADD PRIMARY KEY (n);
CREATE SEQUENCE wb_replay_seq;
GRANT SELECT ON wb_replay TO kefu_app;
GRANT USAGE ON SEQUENCE wb_replay_seq TO kefu_app;
BEGIN;
UPDATE tickets t SET first_response_due_at = now() - interval '1 minute'
FROM wb_replay r WHERE t.tenant_id = r.tenant_id AND t.id = r.ticket_id;
UPDATE ticket_timers tt SET due_at = now() - interval '1 minute'
FROM wb_replay r WHERE tt.tenant_id = r.tenant_id AND tt.ticket_id = r.ticket_id AND tt.kind = 'sla:first_response';
COMMIT;
ANALYZE wb_replay;
