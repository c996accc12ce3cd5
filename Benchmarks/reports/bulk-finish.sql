-- Reports benchmark, after the bulk load (as the owner): ticket counters of the shared tenants
-- continue after their loaded numbers, the intake loader's helper table goes, and everything is
-- vacuumed and analyzed (what autovacuum would have done by the time a tenant had this many
-- tickets: statistics and the visibility map), then checkpointed.
\set ON_ERROR_STOP on
INSERT INTO ticket_counters (tenant_id, last_number)
SELECT tenant_id, max(number) FROM tickets WHERE tenant_id IN (SELECT tenant_id FROM bulk_plan) GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET last_number = excluded.last_number;
DROP TABLE bulk_plan;
VACUUM (ANALYZE);
CHECKPOINT;
