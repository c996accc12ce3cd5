-- pgbench transaction (pgbench -D ntenants=N): one ticket row of the shape HTTP intake writes
-- (chat inquiry, P3, assigned to an agent, channel and first-response clocks set), with a
-- varying description, into the real tickets table (all its indexes, foreign keys and checks),
-- committed on its own (durable: synchronous_commit stays on).
\set r random(1, :ntenants)
INSERT INTO tickets (
    tenant_id, number, customer_id, channel, description, category, priority, status, tier,
    owner_id, first_owner_id, created_at, assigned_at, updated_at,
    channel_response_due_at, first_response_due_at)
SELECT b.tenant_id, nextval('bench_ticket_number'), b.customer_id, 'chat',
       'Ticket pgbench-' || :client_id || '-' || :r || ': cannot log in after the password reset (order #' || (random() * 1000000)::int || ')',
       'inquiry', 'P3', 'assigned', 'junior', b.agent_id, b.agent_id, now(), now(), now(),
       now() + interval '30 seconds', now() + interval '2 hours'
FROM bench_ref b WHERE b.i = :r;
