-- Worker benchmark: choose the :due open tickets whose first-response clock will come due
-- (the lowest ticket numbers of every tenant, so the work is spread over all tenants), before
-- any clock starts. Owner only; the table goes with the cluster.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS wb_due;
CREATE TABLE wb_due AS
SELECT tenant_id, id AS ticket_id FROM tickets
WHERE status IN ('new', 'assigned') AND first_response_at IS NULL AND sla_paused_at IS NULL AND NOT breached
ORDER BY number, tenant_id
LIMIT :due;
ALTER TABLE wb_due ADD PRIMARY KEY (tenant_id, ticket_id);
REVOKE ALL ON wb_due FROM kefu_app;
ANALYZE wb_due;
