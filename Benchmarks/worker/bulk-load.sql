-- Worker benchmark, bulk load (as the owner, one transaction):
--   psql -v tenants=1000 -v tickets=1000000 -f bulk-load.sql
-- Creates :tenants tenants ("wb-0001" …) with what `kefu tenant create` inserts (the tenant, a
-- senior admin and the admin's API key) plus 2 on-duty supervisors, 5 agents and 100 customers
-- each, then :tickets OPEN tickets spread round-robin over every tenant of the cluster (the
-- bulk ones and those made with `kefu tenant create`), each with the 4 SLA timers intake arms
-- (sla:channel_response, sla:first_response, sla:plan, sla:progress), all due in the FUTURE.
-- The ticket row is the source of truth for a clock, so each timer's due_at equals its ticket's
-- *_due_at column. Every foreign key and check stays in force.
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO tenants (slug, name, timezone)
SELECT format('wb-%s', lpad(i::text, 4, '0')), format('Worker bench tenant %s', i), 'Asia/Shanghai'
FROM generate_series(1, :tenants) i;

-- What `kefu tenant create` adds: the first admin and that admin's API key.
INSERT INTO agents (tenant_id, name, email, role, tier)
SELECT id, 'Admin', 'admin@' || slug || '.bench.local', 'admin', 'senior' FROM tenants WHERE slug LIKE 'wb-%';
INSERT INTO api_keys (tenant_id, agent_id, name, prefix, key_hash)
SELECT a.tenant_id, a.id, 'initial admin key', 'kefu_' || substr(md5(a.id::text), 1, 8),
       digest(gen_random_uuid()::text, 'sha256')
FROM agents a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug LIKE 'wb-%' AND a.role = 'admin';

-- Escalation targets (each breach notifies every on-duty supervisor) and ticket owners.
INSERT INTO agents (tenant_id, name, email, role, tier, duty_status)
SELECT t.id, format('Supervisor %s', s), format('supervisor%s@%s.bench.local', s, t.slug), 'supervisor', 'senior', 'on_duty'
FROM tenants t, generate_series(1, 2) s WHERE t.slug LIKE 'wb-%';
INSERT INTO agents (tenant_id, name, email, role, tier, skills)
SELECT t.id, format('Agent %s', a), format('agent%s@%s.bench.local', a, t.slug), 'agent',
       (ARRAY['junior', 'mid', 'senior'])[1 + a % 3], ARRAY['billing']
FROM tenants t, generate_series(1, 5) a WHERE t.slug LIKE 'wb-%';

INSERT INTO customers (tenant_id, name, segment, first_seen_at, created_at, updated_at)
SELECT t.id, format('Customer %s', c), (ARRAY['regular', 'regular', 'regular', 'vip', 'enterprise'])[1 + c % 5],
       now() - interval '200 days', now() - interval '200 days', now() - interval '200 days'
FROM tenants t, generate_series(1, 100) c WHERE t.slug LIKE 'wb-%';

-- Every tenant of the cluster gets tickets (the CLI-made ones have customers added here too).
INSERT INTO customers (tenant_id, name, first_seen_at)
SELECT t.id, format('Customer %s', c), now() - interval '200 days'
FROM tenants t, generate_series(1, 100) c
WHERE NOT EXISTS (SELECT 1 FROM customers x WHERE x.tenant_id = t.id);

CREATE TEMP TABLE plan AS
SELECT (row_number() OVER (ORDER BY t.slug) - 1)::integer AS ordinal, t.id AS tenant_id,
       (SELECT array_agg(a.id ORDER BY a.email) FROM agents a WHERE a.tenant_id = t.id AND a.role = 'agent') AS agent_ids,
       (SELECT array_agg(c.id ORDER BY c.name) FROM customers c WHERE c.tenant_id = t.id) AS customer_ids
FROM tenants t;
ALTER TABLE plan ADD PRIMARY KEY (ordinal);
SELECT count(*) AS ntenants FROM plan \gset
SELECT count(*) AS tenants_without_agents FROM plan WHERE agent_ids IS NULL \gset
\if :tenants_without_agents
    \echo 'every tenant needs an agent (role agent) to own tickets'
    SELECT 1/0;
\endif

-- Open work only: 30 % new (no owner), 70 % assigned; nobody has answered yet, so every clock
-- runs. Due instants lie between 1 hour and 30 days ahead.
INSERT INTO tickets (
    tenant_id, number, customer_id, channel, subject, description, category, priority, status, tier,
    owner_id, first_owner_id, created_at, assigned_at, updated_at,
    channel_response_due_at, first_response_due_at, plan_due_at, progress_due_at)
SELECT tenant_id, n, customer_id, channel, subject, description, category, priority, status, tier,
       owner_id, owner_id, created_at, CASE WHEN owner_id IS NOT NULL THEN created_at END, created_at,
       due, due + interval '1 minute', due + interval '2 hours', due + interval '3 hours'
FROM (
    SELECT p.tenant_id, s / :ntenants + 1 AS n,
           p.customer_ids[1 + (s / :ntenants) % cardinality(p.customer_ids)] AS customer_id,
           (ARRAY['chat', 'email', 'phone', 'web_form', 'in_app'])[1 + s % 5] AS channel,
           format('Order %s', s) AS subject,
           format('Ticket %s: %s.', s, (ARRAY['cannot log in after the password reset', 'the invoice shows the wrong amount',
                  'the parcel has not arrived', 'charged twice for one order'])[1 + s % 4]) AS description,
           (ARRAY['inquiry', 'inquiry', 'fault', 'complaint', 'suggestion'])[1 + (s / 7) % 5] AS category,
           (ARRAY['P1', 'P2', 'P2', 'P2', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3', 'P3',
                  'P4', 'P4', 'P4', 'P3'])[1 + (s / 3) % 20] AS priority,
           CASE WHEN s % 10 < 3 THEN 'new' ELSE 'assigned' END AS status,
           (ARRAY['junior', 'mid', 'senior'])[1 + s % 3] AS tier,
           CASE WHEN s % 10 >= 3 THEN p.agent_ids[1 + (s / 11) % cardinality(p.agent_ids)] END AS owner_id,
           now() - interval '50 minutes' * random() AS created_at,
           now() + interval '1 hour' + interval '30 days' * random() AS due
    FROM generate_series(0, :tickets - 1) s
    JOIN plan p ON p.ordinal = s % :ntenants
) x;

INSERT INTO ticket_counters (tenant_id, last_number)
SELECT tenant_id, max(number) FROM tickets GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET last_number = excluded.last_number;

INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at)
SELECT t.tenant_id, t.id, k.kind,
       CASE k.kind WHEN 'sla:channel_response' THEN t.channel_response_due_at
                   WHEN 'sla:first_response' THEN t.first_response_due_at
                   WHEN 'sla:plan' THEN t.plan_due_at
                   ELSE t.progress_due_at END
FROM tickets t
CROSS JOIN (VALUES ('sla:channel_response'), ('sla:first_response'), ('sla:plan'), ('sla:progress')) k(kind);

COMMIT;
