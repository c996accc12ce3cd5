-- Surge benchmark, detector cost (as the owner, one transaction): :tenants tenants ('sb-00001' …)
-- with what `kefu tenant create` inserts (the tenant, a senior admin and the admin's API key),
-- and 5 weeks of chat intake history OLDER than 2 hours (so none of them is a detector
-- candidate yet): one intake_minutes row every :step minutes, aligned on the hour, holding
-- :hourly tickets per hour (80 -> a normal of 20 per 15-minute window), and the hourly rollup
-- (intake_hours) as intake writes it (the latency tenants are gone by then: every row is a bulk tenant's). Rows go in in time order, tenants interleaved, as intake
-- writes them in production. Also a lookup table sb_ids (n -> tenant id) readable by kefu_app.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO tenants (slug, name, timezone)
SELECT format('sb-%s', lpad(i::text, 5, '0')), format('Surge bench tenant %s', i), 'UTC'
FROM generate_series(1, :tenants) i;
INSERT INTO agents (tenant_id, name, email, role, tier)
SELECT id, 'Admin', 'admin@' || slug || '.bench.local', 'admin', 'senior' FROM tenants WHERE slug ~ '^sb-[0-9]';
INSERT INTO api_keys (tenant_id, agent_id, name, prefix, key_hash)
SELECT a.tenant_id, a.id, 'initial admin key', 'kefu_' || substr(md5(a.id::text), 1, 8), digest(gen_random_uuid()::text, 'sha256')
FROM agents a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug ~ '^sb-[0-9]' AND a.role = 'admin';
CREATE TABLE sb_ids (n integer PRIMARY KEY, id uuid NOT NULL);
INSERT INTO sb_ids SELECT row_number() OVER (ORDER BY slug), id FROM tenants WHERE slug ~ '^sb-[0-9]';
GRANT SELECT ON sb_ids TO kefu_app;
INSERT INTO intake_minutes (tenant_id, channel, minute, count)
SELECT s.id, 'chat', date_trunc('hour', now()) - k * (:step * interval '1 minute'), :hourly * :step / 60
FROM generate_series(ceil(180.0 / :step)::int, (35 * 24 * 60) / :step) k, sb_ids s
ORDER BY k DESC, s.n;
-- (Statistics first: without them the planner takes the new rows for none.)
ANALYZE intake_minutes;
INSERT INTO intake_hours (tenant_id, channel, hour, count)
SELECT tenant_id, channel, date_trunc('hour', minute, 'UTC') AS hour, sum(count) FROM intake_minutes
GROUP BY 1, 2, 3 ORDER BY hour, tenant_id;
COMMIT;
VACUUM ANALYZE intake_minutes;
VACUUM ANALYZE intake_hours;
VACUUM ANALYZE tenants;
CHECKPOINT;
