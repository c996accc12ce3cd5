-- Surge benchmark: recent intake for every bulk tenant, :live chat tickets in the last 15 minutes
-- (5 rows, written with the hourly rollup as intake does). With :live = 3 (below the minimum
-- volume 20) no tenant is a candidate; with :live = 25 (>= 20, 1.25 x the normal 20) every
-- tenant is read but none surges. Re-running replaces the previous recent rows.
\set ON_ERROR_STOP on
BEGIN;
DELETE FROM intake_minutes WHERE tenant_id IN (SELECT id FROM sb_ids) AND minute > now() - interval '2 hours';
INSERT INTO intake_minutes (tenant_id, channel, minute, count)
SELECT s.id, 'chat', date_trunc('minute', now()) - m * interval '2 minutes', :live / 5 + CASE WHEN m <= :live % 5 THEN 1 ELSE 0 END
FROM generate_series(1, 5) m, sb_ids s
ORDER BY m DESC, s.n;
DELETE FROM intake_hours WHERE tenant_id IN (SELECT id FROM sb_ids) AND hour >= date_trunc('hour', now() - interval '2 hours', 'UTC');
INSERT INTO intake_hours (tenant_id, channel, hour, count)
SELECT tenant_id, channel, date_trunc('hour', minute, 'UTC') AS hour, sum(count) FROM intake_minutes
WHERE tenant_id IN (SELECT id FROM sb_ids) AND minute >= date_trunc('hour', now() - interval '2 hours', 'UTC')
GROUP BY 1, 2, 3 ORDER BY hour, tenant_id;
COMMIT;
ANALYZE intake_minutes;
ANALYZE intake_hours;
SELECT count(*) AS candidates FROM kefu_surge_candidates(now() - interval '2 hours', now(), :'limits');
