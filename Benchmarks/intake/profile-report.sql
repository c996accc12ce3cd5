-- PROFILE=1 only: where an intake's database time goes (psql -v tickets=N, the tickets created
-- while pg_stat_statements and the wait sampler ran).
\set ON_ERROR_STOP on
\pset footer off
\echo 'Statements of the application role per ticket (pg_stat_statements, planning tracked):'
SELECT round(calls::numeric / :tickets, 2) AS "per ticket",
       round(mean_plan_time::numeric, 3) AS "plan ms",
       round(mean_exec_time::numeric, 3) AS "exec ms",
       round(((total_plan_time + total_exec_time) / :tickets)::numeric, 3) AS "ms/ticket",
       left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS statement
FROM pg_stat_statements
WHERE userid = 'kefu_app'::regrole
ORDER BY total_plan_time + total_exec_time DESC
LIMIT 25;
SELECT round(sum(calls)::numeric / :tickets, 1) AS "statements per ticket",
       round((sum(total_plan_time) / :tickets)::numeric, 3) AS "plan ms/ticket",
       round((sum(total_exec_time) / :tickets)::numeric, 3) AS "exec ms/ticket"
FROM pg_stat_statements WHERE userid = 'kefu_app'::regrole;
\echo 'What the application''s connections were doing (sampled every 10 ms):'
SELECT CASE
           WHEN state = 'active' THEN 'active, ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU')
           WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for kefu: round trip + Swift)'
           WHEN state = 'idle' THEN 'idle (in the pool, between requests)'
           ELSE coalesce(state, '?')
       END AS "connection state",
       count(*) AS samples,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "%"
FROM bench_wait_samples
GROUP BY 1 ORDER BY 2 DESC;
\echo 'Waits by statement (samples of connections that were waiting on a lock or I/O):'
SELECT wait_event_type || ':' || wait_event AS wait, query AS "statement (start)", count(*) AS samples
FROM bench_wait_samples
WHERE state = 'active' AND wait_event IS NOT NULL AND wait_event_type <> 'Client'
GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 12;
