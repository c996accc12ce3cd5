-- EXPLAIN (ANALYZE, BUFFERS) of the queue query that GET /v1/tickets runs, first page
-- (LIMIT limit + 1), as the owner, in the shape TicketQueryService.list gives it — keep in step:
--   one status:       psql -v tenant=UUID -v filter="AND t.status = 'assigned'" -v statuses= -f explain-list.sql
--   several statuses: psql -v tenant=UUID -v filter="AND t.owner_id = '...'" -v statuses=assigned,in_progress -f explain-list.sql
-- With several statuses the service merges one index range per status (only the keys), then
-- reads the page's rows. Values are literals here, so PostgreSQL plans for them; the service
-- binds them and, for these filters, keeps one generic plan per statement.
\set ON_ERROR_STOP on
\set columns 't.id, t.tenant_id, t.number, ''T-'' || CASE WHEN t.number < 1000000 THEN lpad(t.number::text, 6, ''0'') ELSE t.number::text END AS reference, t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at, t.expected_resolution_at, t.category, t.priority, t.status, t.skill, t.tier, t.owner_id, t.first_owner_id, t.department_id, t.department_due_at, ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids, t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count, t.created_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at, t.closed_at, t.archived_at, t.updated_at, t.channel_response_due_at, t.first_response_due_at, t.plan_due_at, t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached, t.suggested_article_ids'
SELECT :'statuses' = '' AS one_status \gset
\if :one_status
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
SELECT :columns
FROM tickets t
WHERE t.tenant_id = :'tenant'::uuid :filter
ORDER BY t.created_at, t.id
LIMIT 51;
\else
-- The UNION ALL of one branch per status, built from the list.
SELECT string_agg(format('SELECT t.id, t.created_at FROM tickets t WHERE t.tenant_id = %L::uuid %s AND t.status = %L',
                         :'tenant', :'filter', status), ' UNION ALL ') AS branches
FROM unnest(string_to_array(:'statuses', ',')) AS status \gset
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
WITH page AS (
    SELECT id, created_at FROM (:branches) k ORDER BY created_at, id LIMIT 51)
SELECT :columns FROM page JOIN tickets t ON t.tenant_id = :'tenant'::uuid AND t.id = page.id
ORDER BY page.created_at, page.id;
\endif
