-- Surge benchmark: the detector's read alone (as the owner), timed by psql: every candidate
-- tenant's settings, mode, due events and intake counts in one statement.
\timing on
SELECT count(*) AS reading_rows, count(DISTINCT tenant_id) AS tenants FROM kefu_surge_readings(now() - interval '2 hours', now(), :'limits');
