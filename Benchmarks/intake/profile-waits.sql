-- PROFILE=1 only: samples what the application's backends are doing every 10 ms for
-- :seconds seconds into bench_wait_samples (psql -v seconds=10). Run it in the background
-- while wrk runs; profile-report.sql summarises it.
\set ON_ERROR_STOP on
CREATE TABLE IF NOT EXISTS bench_wait_samples (
    at timestamptz, state text, wait_event_type text, wait_event text, query text);
TRUNCATE bench_wait_samples;
SELECT set_config('bench.seconds', :'seconds', false) \g /dev/null
DO $$
DECLARE
    deadline timestamptz := clock_timestamp() + make_interval(secs => current_setting('bench.seconds')::float8);
BEGIN
    WHILE clock_timestamp() < deadline LOOP
        PERFORM pg_stat_clear_snapshot();
        INSERT INTO bench_wait_samples
        SELECT clock_timestamp(), state, wait_event_type, wait_event, left(regexp_replace(query, '\s+', ' ', 'g'), 70)
        FROM pg_stat_activity WHERE usename = 'kefu_app' AND backend_type = 'client backend';
        PERFORM pg_sleep(0.01);
    END LOOP;
END
$$;
