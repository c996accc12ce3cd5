-- Bulk load, step 2 of 3 (as the owner): one set-based INSERT of tickets, in time order, into the
-- real tickets table with every index, foreign key and check in place.
--   psql -v which=small -v small_tenants=1000 -v small_tickets=1000   # 1,000 × 1,000 tickets
--   psql -v which=big -v big_tickets=1000000                           # the large tenant
-- Run both at once (two sessions): their rows interleave on the heap as tickets of many tenants
-- do in production (each tenant's tickets are spread over the table, not stored together).
-- Time slot s of the typical tenants is ticket n = s / small_tenants + 1 of tenant
-- s % small_tenants + 1; created_at runs evenly over the last 365 days. Status follows age:
-- the last 14 days hold the open work (15 % new, 40 % assigned, 25 % in progress, 15 % waiting,
-- 5 % escalated), 14–30 days resolved (30 %) or closed, older closed (85 %) or archived.
-- Priority: 5 % P1, 20 % P2, 60 % P3, 15 % P4. Every ticket but "new" has an owner. One
-- ticket in five has an agent reply (ticket_messages), so a search reads messages too.
\set ON_ERROR_STOP on
SELECT setseed(CASE WHEN :'which' = 'big' THEN 0.2 ELSE 0.1 END) \g /dev/null
INSERT INTO tickets (
    tenant_id, number, customer_id, channel, description, category, priority, status, tier,
    owner_id, first_owner_id, created_at, assigned_at, first_response_at, resolved_at, closed_at, archived_at,
    updated_at, channel_response_due_at, first_response_due_at)
SELECT tenant_id, n, customer_id, channel, description, category, priority, status, tier,
       CASE WHEN status <> 'new' THEN owner_id END, CASE WHEN status <> 'new' THEN owner_id END,
       created_at,
       CASE WHEN status <> 'new' THEN created_at + interval '2 minutes' END,
       CASE WHEN status NOT IN ('new', 'assigned') THEN created_at + interval '20 minutes' END,
       CASE WHEN status IN ('resolved', 'closed', 'archived') THEN created_at + interval '1 day' END,
       CASE WHEN status IN ('closed', 'archived') THEN created_at + interval '4 days' END,
       CASE WHEN status = 'archived' THEN created_at + interval '30 days' END,
       created_at + interval '20 minutes',
       CASE WHEN channel = 'chat' AND status IN ('new', 'assigned') THEN created_at + interval '30 seconds' END,
       CASE WHEN status IN ('new', 'assigned') THEN created_at + interval '2 hours' END
FROM (
    SELECT p.tenant_id, sl.n, sl.created_at,
           p.customer_ids[1 + floor(random() * array_length(p.customer_ids, 1))::integer] AS customer_id,
           p.agent_ids[1 + floor(random() * array_length(p.agent_ids, 1))::integer] AS owner_id,
           (ARRAY['chat', 'email', 'phone', 'web_form', 'in_app'])[1 + (sl.n * 7 + p.ordinal) % 5] AS channel,
           (ARRAY['inquiry', 'inquiry', 'fault', 'complaint', 'suggestion'])[1 + (sl.n * 3 + p.ordinal) % 5] AS category,
           (ARRAY['junior', 'mid', 'senior'])[1 + (sl.n + p.ordinal) % 3] AS tier,
           format('Ticket %s of tenant %s: %s. The customer writes that %s and asks for an answer today.',
                  sl.n, p.ordinal,
                  (ARRAY['cannot log in after the password reset', 'the invoice shows the wrong amount',
                         'the parcel has not arrived', 'the app crashes on start',
                         'charged twice for one order', 'wants to change the delivery address'])[1 + sl.n % 6],
                  (ARRAY['it worked yesterday', 'support chat did not help', 'the order number is attached',
                         'this is the second request'])[1 + (sl.n / 6) % 4])
               -- One ticket in ten also carries a Chinese sentence (what "q=退款" finds).
               || CASE WHEN sl.n % 10 = 3 THEN ' 客户补充：申请退款失败，页面一直显示处理中。' ELSE '' END AS description,
           CASE WHEN random() < 0.05 THEN 'P1' WHEN random() < 0.2 / 0.95 THEN 'P2'
                WHEN random() < 0.6 / 0.75 THEN 'P3' ELSE 'P4' END AS priority,
           CASE
               WHEN sl.age_days < 14 THEN
                   (ARRAY['new', 'assigned', 'assigned', 'assigned', 'assigned', 'in_progress', 'in_progress',
                          'in_progress', 'in_progress', 'in_progress', 'waiting_on_customer', 'waiting_on_customer',
                          'waiting_on_customer', 'new', 'new', 'assigned', 'assigned', 'assigned', 'assigned',
                          'escalated'])[1 + floor(random() * 20)::integer]
               WHEN sl.age_days < 30 THEN CASE WHEN random() < 0.3 THEN 'resolved' ELSE 'closed' END
               ELSE CASE WHEN random() < 0.85 THEN 'closed' ELSE 'archived' END
           END AS status
    FROM (
        SELECT s % :small_tenants + 1 AS ordinal, s / :small_tenants + 1 AS n,
               365.0 * (1 - s::float8 / (:small_tenants * :small_tickets)) AS age_days,
               now() - interval '365 days' + interval '365 days' * (s::float8 / (:small_tenants * :small_tickets)) AS created_at
        FROM generate_series(0, :small_tenants * :small_tickets - 1) s
        WHERE :'which' = 'small'
        UNION ALL
        SELECT 0, s + 1,
               365.0 * (1 - s::float8 / greatest(:big_tickets, 1)),
               now() - interval '365 days' + interval '365 days' * (s::float8 / greatest(:big_tickets, 1))
        FROM generate_series(0, :big_tickets - 1) s
        WHERE :'which' = 'big'
    ) sl
    JOIN bulk_plan p USING (ordinal)
) x;

-- One ticket in five (archived ones aside: they take no message) gets an agent reply (English, or
-- Chinese for one ticket in ten of those),
-- through the real ticket_messages table and its indexes.
INSERT INTO ticket_messages (tenant_id, ticket_id, author_kind, author_id, visibility, body, created_at)
SELECT t.tenant_id, t.id, 'agent', t.owner_id, 'public',
       CASE WHEN t.number % 50 = 5 THEN '您好，已为您提交退款申请，请留意短信通知。'
            ELSE format('Hello, we checked order %s: %s.', t.number,
                        (ARRAY['the parcel is on its way', 'the invoice has been corrected',
                               'a new password reset link was sent'])[1 + (t.number / 5) % 3]) END,
       t.created_at + interval '20 minutes'
FROM tickets t JOIN bulk_plan p USING (tenant_id)
WHERE t.number % 5 = 0 AND t.owner_id IS NOT NULL AND t.status <> 'archived' AND p.big = (:'which' = 'big');
