-- Worker benchmark, after the bulk load (as the owner): what autovacuum would have done by the
-- time a deployment held this many tickets (statistics, hint bits, the visibility map), the
-- load-time WAL setting back to its default, and a checkpoint so the measurements do not start
-- in the middle of one.
\set ON_ERROR_STOP on
VACUUM (ANALYZE) tickets;
VACUUM (ANALYZE) ticket_timers;
ANALYZE tenants, agents, api_keys, customers, ticket_counters;
ALTER SYSTEM RESET max_wal_size;
SELECT pg_reload_conf();
CHECKPOINT;
