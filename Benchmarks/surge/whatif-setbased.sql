-- What-if (not Kefu code; diagnostics only): the detector's reading for ALL candidates in one
-- statement, as the owner. Only the 5 ranges the decision needs are read per tenant and channel
-- (live window + the same hour 1-4 weeks ago, through the primary key), and the first minute is
-- one index probe; rows come back only for tenants that may be surging (live >= 20 and
-- live >= 3 x normal), so the per-tenant transaction (lock, incident) is opened only for those.
-- (The trailing-7-day fallback for tenants younger than a week is left out here.)
\timing on
WITH c AS (SELECT tenant_id FROM kefu_surge_candidates(now() - interval '2 hours', now())),
     h AS (SELECT date_trunc('hour', now()) AS hs),
     r AS (SELECT 0 AS k, now() - interval '15 minutes' AS lo, now() AS hi, true AS lo_open
           UNION ALL SELECT w, hs - w * interval '7 days', hs - w * interval '7 days' + interval '1 hour', false
           FROM h, generate_series(1, 4) w),
     sums AS (
        SELECT c.tenant_id, m.channel,
               coalesce(sum(m.count) FILTER (WHERE r.k = 0), 0) AS live,
               array[coalesce(sum(m.count) FILTER (WHERE r.k = 1), 0), coalesce(sum(m.count) FILTER (WHERE r.k = 2), 0),
                     coalesce(sum(m.count) FILTER (WHERE r.k = 3), 0), coalesce(sum(m.count) FILTER (WHERE r.k = 4), 0)] AS weeks
        FROM c CROSS JOIN r
        JOIN intake_minutes m ON m.tenant_id = c.tenant_id
             AND m.minute >= r.lo AND m.minute <= r.hi AND (NOT r.lo_open OR m.minute > r.lo) AND (r.k = 0 OR m.minute < r.hi)
        GROUP BY c.tenant_id, m.channel),
     rated AS (
        SELECT s.*, (SELECT min(minute) FROM intake_minutes f WHERE f.tenant_id = s.tenant_id AND f.channel = s.channel
                      AND f.minute > now() - interval '35 days') AS first_minute
        FROM sums s WHERE s.live >= 20)
SELECT count(*) AS candidates_to_evaluate FROM rated r, h
WHERE r.live >= 3 * greatest(1.0, (SELECT avg(r.weeks[w]) FROM generate_series(1, 4) w
                                    WHERE r.first_minute <= h.hs - w * interval '7 days') / 60 * 15);
