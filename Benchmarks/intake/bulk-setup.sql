-- Bulk load, step 1 of 3 (as the owner; psql -v small_tenants=1000 -v big_tickets=1000000):
-- the tenants, their agents and customers, and bulk_plan (ordinal -> tenant, ticket count, agent
-- and customer ids) that step 2 reads. Typical tenants ("bulk-0001" …) get 5 agents and 100
-- customers; the large tenant ("bulk-big", only when big_tickets > 0) gets 50 agents and 20,000.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO tenants (slug, name)
SELECT format('bulk-%s', lpad(i::text, 4, '0')), format('Bulk tenant %s', i)
FROM generate_series(1, :small_tenants) i;
INSERT INTO tenants (slug, name) SELECT 'bulk-big', 'Bulk large tenant' WHERE :big_tickets > 0;

CREATE TABLE bulk_plan (
    ordinal      integer PRIMARY KEY,      -- 0 = the large tenant
    tenant_id    uuid NOT NULL,
    big          boolean NOT NULL,
    agent_ids    uuid[],
    customer_ids uuid[]
);
INSERT INTO bulk_plan (ordinal, tenant_id, big)
SELECT CASE WHEN slug = 'bulk-big' THEN 0 ELSE substr(slug, 6)::integer END, id, slug = 'bulk-big'
FROM tenants WHERE slug LIKE 'bulk-%';

INSERT INTO agents (tenant_id, name, email, role, tier)
SELECT p.tenant_id, format('Agent %s', a), format('agent%s@bulk.kefu.local', a), 'agent',
       (ARRAY['junior', 'mid', 'senior'])[1 + a % 3]
FROM bulk_plan p, generate_series(1, CASE WHEN p.big THEN 50 ELSE 5 END) a;

INSERT INTO customers (tenant_id, name, segment, first_seen_at, created_at, updated_at)
SELECT p.tenant_id, format('Customer %s', c), (ARRAY['regular', 'regular', 'regular', 'vip', 'enterprise'])[1 + c % 5],
       now() - interval '400 days', now() - interval '400 days', now() - interval '400 days'
FROM bulk_plan p, generate_series(1, CASE WHEN p.big THEN 20000 ELSE 100 END) c;

UPDATE bulk_plan p SET
    agent_ids = (SELECT array_agg(a.id ORDER BY a.email) FROM agents a WHERE a.tenant_id = p.tenant_id),
    customer_ids = (SELECT array_agg(c.id) FROM customers c WHERE c.tenant_id = p.tenant_id);
COMMIT;
