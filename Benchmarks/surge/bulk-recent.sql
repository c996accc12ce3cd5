-- Surge benchmark: recent intake for every bulk tenant (3 chat tickets in the last 15 minutes:
-- live 3, normal 1.5, ratio 2, below the minimum volume 20 - no surge), which makes all of them
-- detector candidates.
\set ON_ERROR_STOP on
INSERT INTO intake_minutes (tenant_id, channel, minute, count)
SELECT s.id, 'chat', date_trunc('minute', now()) - m * interval '1 minute', 1
FROM sb_ids s, unnest(ARRAY[1, 5, 10]) m;
ANALYZE intake_minutes;
SELECT count(*) AS candidates FROM kefu_surge_candidates(now() - interval '2 hours', now());
