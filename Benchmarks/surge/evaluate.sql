-- pgbench (as kefu_app, -M simple): what the surge sweep sends for ONE candidate tenant, without
-- Swift: ScheduledEventService.apply (its own transaction) then SurgeService.evaluate
-- (IntakeCounter.histories included), with the same statements; the worker binds its own clock,
-- here now() and date_trunc stand in for it.
\set n random(1, :ntenants)
SELECT id AS tid FROM sb_ids WHERE n = :n \gset
BEGIN;
SET LOCAL app.tenant_id = ':tid';
UPDATE scheduled_events SET activated_at = now() WHERE tenant_id = ':tid' AND activated_at IS NULL AND activate_at <= now() AND ends_at > now() RETURNING id, name;
SELECT active FROM surge_modes WHERE tenant_id = ':tid';
UPDATE scheduled_events SET returned_at = now() WHERE tenant_id = ':tid' AND activated_at IS NOT NULL AND returned_at IS NULL AND ends_at <= now() RETURNING id;
COMMIT;
BEGIN;
SET LOCAL app.tenant_id = ':tid';
INSERT INTO surge_modes (tenant_id) VALUES (':tid') ON CONFLICT DO NOTHING;
SELECT active, calm_since, (SELECT trigger FROM incidents i WHERE i.tenant_id = m.tenant_id AND i.id = m.incident_id) AS trigger FROM surge_modes m WHERE tenant_id = ':tid' FOR UPDATE;
SELECT id, slug, name, timezone, status, settings FROM tenants WHERE id = ':tid';
SELECT channel, coalesce(sum(count) FILTER (WHERE minute > now() - interval '15 minutes' AND minute <= now()), 0) AS live, coalesce(sum(count) FILTER (WHERE minute >= date_trunc('hour', now()) - interval '7 days' AND minute < date_trunc('hour', now()) - interval '7 days' + interval '1 hour'), 0) AS w1, coalesce(sum(count) FILTER (WHERE minute >= date_trunc('hour', now()) - interval '14 days' AND minute < date_trunc('hour', now()) - interval '14 days' + interval '1 hour'), 0) AS w2, coalesce(sum(count) FILTER (WHERE minute >= date_trunc('hour', now()) - interval '21 days' AND minute < date_trunc('hour', now()) - interval '21 days' + interval '1 hour'), 0) AS w3, coalesce(sum(count) FILTER (WHERE minute >= date_trunc('hour', now()) - interval '28 days' AND minute < date_trunc('hour', now()) - interval '28 days' + interval '1 hour'), 0) AS w4, coalesce(sum(count) FILTER (WHERE minute > now() - interval '7 days' AND minute <= now() - interval '15 minutes'), 0) AS trailing, min(minute) AS first_minute FROM intake_minutes WHERE tenant_id = ':tid' AND minute > now() - interval '35 days' AND minute <= now() GROUP BY channel;
COMMIT;
