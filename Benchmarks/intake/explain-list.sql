-- EXPLAIN (ANALYZE, BUFFERS) of the queue query that GET /v1/tickets runs (the SELECT of
-- TicketQueryService.list with TicketStore.columns, first page: LIMIT limit + 1), as the owner.
--   psql -v tenant=UUID -v filter="AND t.status = ANY ('{assigned}'::text[])" -f explain-list.sql
-- The filter is written exactly as the service binds it (= ANY over a text[] parameter).
\set ON_ERROR_STOP on
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
SELECT t.id, t.tenant_id, t.number,
       'T-' || CASE WHEN t.number < 1000000 THEN lpad(t.number::text, 6, '0') ELSE t.number::text END AS reference,
       t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at,
       t.expected_resolution_at, t.category, t.priority, t.status, t.skill, t.tier, t.owner_id, t.first_owner_id,
       t.department_id, t.department_due_at,
       ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids,
       t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count,
       t.created_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at,
       t.closed_at, t.archived_at, t.updated_at, t.channel_response_due_at, t.first_response_due_at, t.plan_due_at,
       t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached
FROM tickets t
WHERE t.tenant_id = :'tenant'::uuid :filter
ORDER BY t.created_at, t.id
LIMIT 51;
