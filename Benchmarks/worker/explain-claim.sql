-- Worker benchmark: the plan of the claim with nothing due (as the owner, who may LOAD).
-- EXPLAIN of a function call shows only "Function Scan"; auto_explain with nested statements
-- prints the UPDATE … FOR UPDATE SKIP LOCKED the function runs, as it runs inside it.
-- Run in one session: the first call plans the function's statement, the last one is shown.
\set ON_ERROR_STOP on
\pset pager off
SELECT count(*) AS warm FROM kefu_claim_due_timers(now(), 200, '60 seconds');
SELECT count(*) AS warm FROM kefu_claim_due_timers(now(), 200, '60 seconds');
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on;
SET client_min_messages = log;
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM kefu_claim_due_timers(now(), 200, '60 seconds');
