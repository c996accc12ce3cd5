-- Worker benchmark: the chosen tickets' first-response clocks are overdue by a minute, in one
-- transaction. The ticket row is the source of truth (the worker re-reads it and would only
-- re-arm a timer whose ticket is not overdue), so the ticket's first_response_due_at moves
-- together with its sla:first_response timer. Prints the commit time (epoch seconds) and the
-- WAL written so far (records|full-page images|bytes), so the run's own WAL can be told apart.
\set ON_ERROR_STOP on
BEGIN;
UPDATE tickets t SET first_response_due_at = now() - interval '1 minute'
FROM wb_due d WHERE t.tenant_id = d.tenant_id AND t.id = d.ticket_id;
UPDATE ticket_timers tt SET due_at = now() - interval '1 minute'
FROM wb_due d WHERE tt.tenant_id = d.tenant_id AND tt.ticket_id = d.ticket_id AND tt.kind = 'sla:first_response';
COMMIT;
SELECT extract(epoch FROM clock_timestamp()), wal_records, wal_fpi, wal_bytes FROM pg_stat_wal;
