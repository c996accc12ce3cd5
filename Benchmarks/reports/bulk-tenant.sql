-- Reports benchmark, bulk load of ONE report tenant (as the owner), made before with
-- `kefu tenant create` (the tenant, its admin and the admin's API key):
--   psql -v slug=rpt-big -v tickets=1000000 -v agents=50 -v customers=20000 \
--        -v window_start=… -v window_end=… -v busy_week=… -v busy_factor=2 -v seed=0.3 -f bulk-tenant.sql
-- Adds agents (role agent) and a supervisor, customers, a 3-level tag taxonomy (5 × 4 × 5 = 100
-- leaves), published articles for half the leaves (the rest are knowledge gaps), then :tickets
-- tickets with created_at rising with the ticket number over [window_start, window_end) (52
-- weeks), the week at :busy_week holding :busy_factor × the usual volume, and what real tickets
-- of that age carry: owner history, leaf tags, first-response and resolution milestones, SLA
-- breaches, satisfaction surveys (low ratings included), QA reviews, complaints and incidents.
-- Every check, foreign key and trigger stays in force: tickets are tagged while closed and
-- archived afterwards, as the archiving job would.
\set ON_ERROR_STOP on
SELECT setseed(:seed) \g /dev/null

BEGIN;
CREATE TEMP TABLE plan AS SELECT id AS tenant_id FROM tenants WHERE slug = :'slug';
INSERT INTO agents (tenant_id, name, email, role, tier, skills)
SELECT p.tenant_id, format('Agent %s', lpad(a::text, 3, '0')), format('agent%s@%s.bench.local', a, :'slug'), 'agent',
       (ARRAY['junior', 'mid', 'senior'])[1 + a % 3], ARRAY['billing']
FROM plan p, generate_series(1, :agents) a;
INSERT INTO agents (tenant_id, name, email, role, tier, duty_status)
SELECT tenant_id, 'Supervisor', format('supervisor@%s.bench.local', :'slug'), 'supervisor', 'senior', 'on_duty' FROM plan;
INSERT INTO customers (tenant_id, name, segment, first_seen_at, created_at, updated_at)
SELECT p.tenant_id, format('Customer %s', c), (ARRAY['regular', 'regular', 'regular', 'vip', 'enterprise'])[1 + c % 5],
       :'window_start'::timestamptz, :'window_start'::timestamptz, :'window_start'::timestamptz
FROM plan p, generate_series(1, :customers) c;

-- The taxonomy: product area › feature › problem.
INSERT INTO tags (tenant_id, level, name, created_at)
SELECT p.tenant_id, 1, a, :'window_start'::timestamptz
FROM plan p, unnest(ARRAY['Account', 'Billing', 'Delivery', 'App', 'Orders']) a;
INSERT INTO tags (tenant_id, parent_id, level, name, created_at)
SELECT g.tenant_id, g.id, 2, g.name || ' ' || f, :'window_start'::timestamptz
FROM tags g JOIN plan p USING (tenant_id), unnest(ARRAY['setup', 'usage', 'payment', 'settings']) f WHERE g.level = 1;
INSERT INTO tags (tenant_id, parent_id, level, name, created_at)
SELECT g.tenant_id, g.id, 3, g.name || ': ' || e, :'window_start'::timestamptz
FROM tags g JOIN plan p USING (tenant_id), unnest(ARRAY['error', 'slow', 'missing', 'wrong amount', 'how to']) e WHERE g.level = 2;
ALTER TABLE plan ADD COLUMN agent_ids uuid[], ADD COLUMN customer_ids uuid[], ADD COLUMN leaf_ids uuid[], ADD COLUMN supervisor_id uuid;
UPDATE plan p SET
    agent_ids = (SELECT array_agg(id ORDER BY email) FROM agents a WHERE a.tenant_id = p.tenant_id AND a.role = 'agent'),
    customer_ids = (SELECT array_agg(id ORDER BY name) FROM customers c WHERE c.tenant_id = p.tenant_id),
    leaf_ids = (SELECT array_agg(id ORDER BY name) FROM tags g WHERE g.tenant_id = p.tenant_id AND g.level = 3),
    supervisor_id = (SELECT id FROM agents a WHERE a.tenant_id = p.tenant_id AND a.role = 'supervisor');

INSERT INTO kb_articles (tenant_id, title, body, category_tag_id, status, created_at, updated_at, published_at)
SELECT p.tenant_id, 'How to fix ' || g.name, 'Steps for ' || g.name || '.', g.id, 'published',
       :'window_start'::timestamptz, :'window_start'::timestamptz, :'window_start'::timestamptz
FROM plan p JOIN tags g ON g.tenant_id = p.tenant_id AND g.level = 3 AND g.id = ANY (p.leaf_ids[1:50]);
COMMIT;

-- Tickets, in time order. Slot s maps to a day offset t over the 364-day window in which the
-- busy week counts :busy_factor times; its status follows its age (open in the last 14 days,
-- resolved or closed up to 30 days, then closed — archived below). First responses take
-- 5–125 % of the priority's target (P1 10 min, P2 30 min, P3 2 h, P4 1 day; about 11 % late,
-- 20 % in the busy week); resolutions 1 hour to 3 days.
SELECT extract(epoch FROM :'busy_week'::timestamptz - :'window_start'::timestamptz) / 86400 AS busy_day,
       extract(epoch FROM :'window_end'::timestamptz - :'window_start'::timestamptz) / 86400 AS window_days \gset
INSERT INTO tickets (
    tenant_id, number, customer_id, channel, subject, description, category, priority, status, tier,
    owner_id, first_owner_id, reopen_count, created_at, assigned_at, first_response_at, resolved_at, closed_at, updated_at,
    first_response_due_at, resolution_due_at, breached)
SELECT tenant_id, n, customer_id, channel, subject, description, category, priority, status, tier,
       CASE WHEN status <> 'new' THEN owner_id END, CASE WHEN status <> 'new' THEN first_owner_id END,
       CASE WHEN status IN ('resolved', 'closed') AND r_reopen < 0.03 THEN 1 ELSE 0 END,
       created_at, CASE WHEN status <> 'new' THEN created_at + interval '1 minute' END,
       responded_at, resolved_at,
       CASE WHEN status = 'closed' THEN resolved_at + interval '3 days' END,
       coalesce(resolved_at + CASE WHEN status = 'closed' THEN interval '3 days' ELSE interval '0' END, responded_at, created_at),
       first_due, created_at + interval '3 days',
       coalesce(responded_at > first_due, false)
FROM (
    -- Milestones never lie after window_end (now): the most recent tickets are answered early.
    SELECT *, CASE WHEN status NOT IN ('new', 'assigned') THEN greatest(created_at, least(:'window_end'::timestamptz,
                   created_at + target * (0.05 + (CASE WHEN busy THEN 1.4 ELSE 1.2 END) * r_resp * r_resp))) END AS responded_at,
           CASE WHEN status IN ('resolved', 'closed') THEN greatest(created_at, least(:'window_end'::timestamptz,
                   created_at + interval '1 hour' + interval '71 hours' * r_res * r_res)) END AS resolved_at,
           created_at + target AS first_due
    FROM (
        SELECT *, CASE priority WHEN 'P1' THEN interval '10 minutes' WHEN 'P2' THEN interval '30 minutes'
                                WHEN 'P3' THEN interval '2 hours' ELSE interval '1 day' END AS target
        FROM (
            SELECT p.tenant_id, sl.s + 1 AS n, sl.created_at, sl.busy, sl.r_resp, sl.r_res, sl.r_reopen,
                   p.customer_ids[1 + floor(sl.r_cust * cardinality(p.customer_ids))::integer] AS customer_id,
                   p.agent_ids[1 + floor(sl.r_owner * cardinality(p.agent_ids))::integer] AS owner_id,
                   -- 5 % were transferred: the first owner is another agent.
                   p.agent_ids[1 + floor((CASE WHEN sl.r_reopen > 0.95 THEN sl.r_cust ELSE sl.r_owner END) * cardinality(p.agent_ids))::integer] AS first_owner_id,
                   CASE WHEN sl.r_chan < 0.35 THEN 'chat' WHEN sl.r_chan < 0.60 THEN 'email' WHEN sl.r_chan < 0.75 THEN 'phone'
                        WHEN sl.r_chan < 0.85 THEN 'web_form' WHEN sl.r_chan < 0.95 THEN 'in_app' ELSE 'social' END AS channel,
                   CASE WHEN sl.r_cat < 0.50 THEN 'inquiry' WHEN sl.r_cat < 0.75 THEN 'fault'
                        WHEN sl.r_cat < 0.90 THEN 'complaint' ELSE 'suggestion' END AS category,
                   CASE WHEN sl.r_pri < 0.05 THEN 'P1' WHEN sl.r_pri < 0.25 THEN 'P2' WHEN sl.r_pri < 0.85 THEN 'P3' ELSE 'P4' END AS priority,
                   (ARRAY['junior', 'mid', 'senior'])[1 + sl.s % 3] AS tier,
                   format('Order %s', sl.s) AS subject,
                   format('Ticket %s: %s.', sl.s, (ARRAY['cannot log in after the password reset', 'the invoice shows the wrong amount',
                          'the parcel has not arrived', 'the app crashes on start', 'charged twice for one order'])[1 + sl.s % 5]) AS description,
                   CASE
                       WHEN sl.age_days < 14 THEN (ARRAY['new', 'assigned', 'assigned', 'in_progress', 'in_progress', 'in_progress',
                                                         'waiting_on_customer', 'escalated', 'resolved', 'resolved'])[1 + floor(sl.r_stat * 10)::integer]
                       WHEN sl.age_days < 30 THEN CASE WHEN sl.r_stat < 0.3 THEN 'resolved' ELSE 'closed' END
                       ELSE 'closed'
                   END AS status
            FROM (
                SELECT s, created_at, :window_days - t AS age_days, t >= :busy_day AND t < :busy_day + 7 AS busy,
                       random() AS r_chan, random() AS r_cat, random() AS r_pri, random() AS r_stat, random() AS r_resp,
                       random() AS r_res, random() AS r_reopen, random() AS r_cust, random() AS r_owner
                FROM (
                    SELECT s, t, :'window_start'::timestamptz + interval '1 day' * t AS created_at
                    FROM (
                        SELECT s, CASE WHEN u < :busy_day THEN u
                                       WHEN u < :busy_day + 7 * :busy_factor THEN :busy_day + (u - :busy_day) / :busy_factor
                                       ELSE u - 7 * (:busy_factor - 1) END AS t
                        FROM (SELECT s, (s + 0.5) / :tickets * (:window_days + 7 * (:busy_factor - 1)) AS u
                              FROM generate_series(0, :tickets - 1) s) u
                    ) t
                ) c
            ) sl
            CROSS JOIN plan p
        ) x
    ) y
) z;

-- Owner history: the initial assignment of every owned ticket, and the transfer of those whose
-- first owner differs.
INSERT INTO ticket_assignments (tenant_id, ticket_id, kind, to_agent_id, created_at)
SELECT t.tenant_id, t.id, 'initial', t.first_owner_id, t.assigned_at
FROM tickets t JOIN plan p USING (tenant_id) WHERE t.first_owner_id IS NOT NULL;
INSERT INTO ticket_assignments (tenant_id, ticket_id, kind, from_agent_id, to_agent_id, reason, created_at)
SELECT t.tenant_id, t.id, 'transfer', t.first_owner_id, t.owner_id, 'needs another skill', t.assigned_at + interval '10 minutes'
FROM tickets t JOIN plan p USING (tenant_id) WHERE t.first_owner_id <> t.owner_id;

-- One leaf tag per ticket, a second on 30 %; popular problems are far more frequent (squared).
INSERT INTO ticket_tags (tenant_id, ticket_id, tag_id)
SELECT t.tenant_id, t.id, p.leaf_ids[1 + floor(power(random(), 2) * cardinality(p.leaf_ids))::integer]
FROM tickets t JOIN plan p USING (tenant_id);
INSERT INTO ticket_tags (tenant_id, ticket_id, tag_id)
SELECT t.tenant_id, t.id, p.leaf_ids[1 + floor(power(random(), 2) * cardinality(p.leaf_ids))::integer]
FROM tickets t JOIN plan p USING (tenant_id) WHERE random() < 0.3
ON CONFLICT DO NOTHING;

-- Missed first responses, as the worker records them.
INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
SELECT t.tenant_id, t.id, 'first_response', t.first_response_due_at, t.first_response_at, t.first_response_due_at,
       extract(epoch FROM t.first_response_at - t.first_response_due_at)
FROM tickets t JOIN plan p USING (tenant_id) WHERE t.breached;

-- Surveys: 60 % of resolved tickets are invited; 40 % of invitations are answered within a day
-- (5: 50 %, 4: 25 %, 3: 12 %, 2: 8 %, 1: 5 %), the rest expire.
INSERT INTO surveys (tenant_id, ticket_id, token_hash, created_at, expires_at, answered_at, expired_at,
                     overall, timeliness, professionalism, resolution, attitude, comment)
SELECT tenant_id, id, sha256(convert_to(id::text, 'UTF8')), resolved_at, resolved_at + interval '24 hours',
       CASE WHEN answered THEN resolved_at + interval '20 hours' * r END,
       CASE WHEN NOT answered AND resolved_at + interval '24 hours' < now() THEN resolved_at + interval '24 hours' END,
       overall, overall, overall, overall, overall, CASE WHEN overall <= 2 THEN 'took too long' END
FROM (
    SELECT *, CASE WHEN NOT answered THEN NULL WHEN q < 0.50 THEN 5 WHEN q < 0.75 THEN 4 WHEN q < 0.87 THEN 3
                   WHEN q < 0.95 THEN 2 ELSE 1 END AS overall
    FROM (
        SELECT t.tenant_id, t.id, t.resolved_at, random() AS r, random() AS q,
               random() < 0.4 AND t.resolved_at < now() - interval '1 day' AS answered
        FROM tickets t JOIN plan p USING (tenant_id) WHERE t.resolved_at IS NOT NULL AND random() < 0.6
    ) s
) o;

-- QA reviews of 2 % of resolved tickets and a complaint on 0.2 %.
INSERT INTO qa_reviews (tenant_id, ticket_id, agent_id, reviewer_id, score, created_at)
SELECT t.tenant_id, t.id, t.owner_id, p.supervisor_id, 60 + floor(random() * 41)::integer, t.resolved_at + interval '1 day'
FROM tickets t JOIN plan p USING (tenant_id) WHERE t.resolved_at IS NOT NULL AND random() < 0.02;
INSERT INTO agent_complaints (tenant_id, agent_id, ticket_id, description, recorded_by, created_at)
SELECT t.tenant_id, t.owner_id, t.id, 'The customer complains about the tone.', p.supervisor_id, t.resolved_at + interval '2 hours'
FROM tickets t JOIN plan p USING (tenant_id) WHERE t.resolved_at IS NOT NULL AND random() < 0.002;

-- Surge incidents: about one every two weeks on a random channel, and two in the busy week.
INSERT INTO incidents (tenant_id, channel, trigger, started_at, ended_at, live_count, normal_count, ratio, baseline)
SELECT p.tenant_id, (ARRAY['chat', 'email', 'phone'])[1 + i % 3], 'detected', st, st + interval '90 minutes', 60, 20, 3.0, 'same_hour_of_week'
FROM plan p, generate_series(0, 25) i,
     LATERAL (SELECT :'window_start'::timestamptz + interval '14 days' * i + interval '3 days' + interval '10 hours' AS st) x
UNION ALL
SELECT p.tenant_id, 'chat', 'detected', :'busy_week'::timestamptz + interval '1 day' * d + interval '9 hours',
       :'busy_week'::timestamptz + interval '1 day' * d + interval '12 hours', 90, 25, 3.6, 'same_hour_of_week'
FROM plan p, generate_series(1, 2) d;

-- Archive: closed tickets older than 60 days, 85 % of them (after tagging, as in production).
UPDATE tickets t SET status = 'archived', archived_at = t.closed_at + interval '30 days'
FROM plan p
WHERE t.tenant_id = p.tenant_id AND t.status = 'closed' AND t.created_at < :'window_end'::timestamptz - interval '60 days'
  AND random() < 0.85;

INSERT INTO ticket_counters (tenant_id, last_number)
SELECT tenant_id, max(number) FROM tickets WHERE tenant_id = (SELECT tenant_id FROM plan) GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET last_number = excluded.last_number;
