-- EXPLAIN (ANALYZE, BUFFERS) of intake's agent pick (TicketRouting.pickAgent, first attempt with
-- no skill and every tier) for one tenant, as the owner: the least-loaded on-duty agent, whose
-- load is a count of each agent's open tickets — its cost grows with the tenant's open tickets.
--   psql -v tenant=UUID -f explain-route.sql
\set ON_ERROR_STOP on
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
SELECT a.id FROM agents a
WHERE a.tenant_id = :'tenant'::uuid AND a.active AND a.duty_status = 'on_duty'
  AND a.role IN ('agent', 'supervisor')
  AND (NULL::text IS NULL OR NULL::text = ANY (a.skills))
  AND a.tier = ANY ('{junior,mid,senior}'::text[])
ORDER BY (SELECT count(*) FROM tickets t
          WHERE t.tenant_id = a.tenant_id AND t.owner_id = a.id
            AND t.status IN ('assigned', 'in_progress', 'waiting_on_customer', 'escalated')),
         a.created_at, a.id
LIMIT 1;
