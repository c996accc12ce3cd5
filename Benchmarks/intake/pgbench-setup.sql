-- pgbench reference set-up (run as the owner, psql -v ntenants=N): N tenants of their own for
-- pgbench, each with one customer and one on-duty agent, and bench_ref (i -> tenant, customer,
-- agent) so that the pgbench script can insert rows with valid foreign keys. pgbench uses tenants
-- separate from the HTTP side so that neither side's rows change the other's routing load counts.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO tenants (slug, name)
SELECT format('pgbench-%s', lpad(i::text, 3, '0')), format('pgbench reference %s', i)
FROM generate_series(1, :ntenants) i;

INSERT INTO customers (tenant_id, name, first_seen_at)
SELECT id, 'pgbench customer', now() FROM tenants WHERE slug LIKE 'pgbench-%';

INSERT INTO agents (tenant_id, name, email, role, tier)
SELECT id, 'pgbench agent', 'agent@' || slug || '.bench', 'agent', 'junior' FROM tenants WHERE slug LIKE 'pgbench-%';

CREATE TABLE bench_ref (
    i           integer PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    customer_id uuid NOT NULL,
    agent_id    uuid NOT NULL
);
INSERT INTO bench_ref
SELECT row_number() OVER (ORDER BY t.slug), t.id, c.id, a.id
FROM tenants t JOIN customers c ON c.tenant_id = t.id JOIN agents a ON a.tenant_id = t.id
WHERE t.slug LIKE 'pgbench-%';

-- Ticket numbers for pgbench rows: unique per tenant without a counter row (pgbench measures
-- the cost of storing the row, not of numbering it).
CREATE SEQUENCE bench_ticket_number;
COMMIT;
ANALYZE bench_ref;
