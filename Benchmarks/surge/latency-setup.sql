-- Surge benchmark, latency tenants (as the owner): for every tenant whose slug starts with
-- 'sb-lat-', 4 weeks of chat history at this hour of the week (and the hours either side, in case
-- the hour turns during the run): 39 tickets per hour = a normal of 9.75 per 15-minute window;
-- and a live window already at 29 chat tickets (29 / 9.75 = 2.97x, just under the 3x trigger).
-- The next chat ticket makes 30 / 9.75 = 3.08x with 30 >= the minimum volume 20: a surge.
-- Only intake_minutes and intake_hours are written (the detector reads nothing else); the crossing ticket itself
-- goes through the real API.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO intake_minutes (tenant_id, channel, minute, count)
SELECT t.id, 'chat', date_trunc('hour', now()) + h * interval '1 hour' - w * interval '7 days' + m * interval '1 minute', 1
FROM tenants t, generate_series(1, 4) w, generate_series(-1, 1) h, generate_series(0, 38) m
WHERE t.slug LIKE 'sb-lat-%';
-- The live window: 29 tickets in the previous minute (they stay inside the 15-minute window for
-- the next ~14 minutes).
INSERT INTO intake_minutes (tenant_id, channel, minute, count)
SELECT t.id, 'chat', date_trunc('minute', now()) - interval '1 minute', 29
FROM tenants t WHERE t.slug LIKE 'sb-lat-%'
ON CONFLICT (tenant_id, channel, minute) DO UPDATE SET count = 29;
-- The hourly rollup, as intake keeps it.
INSERT INTO intake_hours (tenant_id, channel, hour, count)
SELECT m.tenant_id, m.channel, date_trunc('hour', m.minute, 'UTC'), sum(m.count)
FROM intake_minutes m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug LIKE 'sb-lat-%'
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, channel, hour) DO UPDATE SET count = excluded.count;
COMMIT;
