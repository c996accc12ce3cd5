-- Bulk load, step 3 of 3 (as the owner): ticket counters continue after the loaded numbers, the
-- helper table goes, and the tables are vacuumed and analyzed (what autovacuum would have done
-- by the time a real tenant had this many tickets: statistics and the visibility map).
\set ON_ERROR_STOP on
INSERT INTO ticket_counters (tenant_id, last_number)
SELECT tenant_id, max(number) FROM tickets WHERE tenant_id IN (SELECT tenant_id FROM bulk_plan) GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET last_number = excluded.last_number;
DROP TABLE bulk_plan;
VACUUM (ANALYZE) tickets, ticket_messages;
ANALYZE tenants, agents, customers;
