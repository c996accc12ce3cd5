-- 023 SLA policies, the acknowledgement clock, defaulted expected times and ticket edits.
--
-- A tenant's SLA policies say, per priority and optionally per customer segment, the targets of
-- a ticket's clocks (first response, plan, progress interval, resolution) and the calendar they
-- count on: the tenant's business hours or 24x7. The defaults and the ranges are Swift's
-- (`SLAPolicies.defaults`, `SLAPolicy.ranges`): a tenant without rows here follows the defaults;
-- `PUT /v1/sla-policies` writes a whole set (one policy without segment per priority, plus any
-- segment overrides). The table keeps only what no version of the rules could accept.
CREATE TABLE sla_policies (
    tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    priority               text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    -- NULL: every customer segment without a policy of its own.
    segment                text CHECK (segment IN ('vip', 'enterprise', 'regular')),
    calendar               text NOT NULL CHECK (calendar IN ('business_hours', '24x7')),
    first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
    plan_minutes           integer NOT NULL CHECK (plan_minutes >= 0),
    progress_minutes       integer NOT NULL CHECK (progress_minutes > 0),
    resolution_minutes     integer NOT NULL CHECK (resolution_minutes >= 0),
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE NULLS NOT DISTINCT (tenant_id, priority, segment)
);
SELECT kefu_isolate_tenant_table('sla_policies');
-- A PUT replaces the tenant's set; removing a tag from a ticket (PATCH /v1/tickets/{id}) deletes
-- its ticket_tags row (refused on archived tickets by the triggers of sql/004 and sql/017).
GRANT DELETE ON sla_policies, ticket_tags TO kefu_app;

-- The per-priority targets that were settings (`sla.first_response_minutes`, `sla.plan_minutes`,
-- `sla.progress_update_minutes`) now live in the policies: a tenant that had set any of them gets
-- a policy set with its values (out-of-range or non-numeric values fall back to the value that
-- applied until now), and the settings lose the keys. The numbers below are the defaults as they
-- stood until this migration, for converting old documents only.
CREATE FUNCTION pg_temp.kefu_old_sla_setting(p_settings jsonb, p_path text[], p_default integer, p_min integer, p_max integer)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p_settings #> p_path) = 'number'
                THEN least(greatest(round((p_settings #>> p_path)::numeric), p_min), p_max)::integer
                ELSE p_default END
$$;

INSERT INTO sla_policies (tenant_id, priority, segment, calendar, first_response_minutes, plan_minutes, progress_minutes,
                          resolution_minutes, updated_at)
SELECT t.id, d.priority, NULL, d.calendar,
       pg_temp.kefu_old_sla_setting(t.settings, ARRAY['sla', 'first_response_minutes', lower(d.priority)], d.first_response, 1, 43200),
       pg_temp.kefu_old_sla_setting(t.settings, ARRAY['sla', 'plan_minutes', lower(d.priority)], d.plan, 0, 43200),
       pg_temp.kefu_old_sla_setting(t.settings, ARRAY['sla', 'progress_update_minutes'], 120, 1, 10080),
       d.resolution, now()
FROM tenants t
CROSS JOIN (VALUES ('P1', '24x7', 10, 120, 1440), ('P2', 'business_hours', 30, 240, 1080),
                   ('P3', 'business_hours', 120, 0, 2700), ('P4', 'business_hours', 1440, 0, 5400))
    AS d(priority, calendar, first_response, plan, resolution)
WHERE t.settings -> 'sla' ?| ARRAY['first_response_minutes', 'plan_minutes', 'progress_update_minutes'];

UPDATE tenants
SET settings = settings #- '{sla,first_response_minutes}' #- '{sla,plan_minutes}' #- '{sla,progress_update_minutes}'
WHERE settings -> 'sla' ?| ARRAY['first_response_minutes', 'plan_minutes', 'progress_update_minutes'];

-- Tickets:
-- * the acknowledgement clock: due 1 minute after intake, met when the customer is told the
--   request was received (`acknowledged_at`: at intake on every channel but phone, where the
--   agent's first public reply meets it);
-- * whether the expected resolution time was defaulted from the policy (the customer gave none);
-- * the customer's segment at intake, which chose the SLA policy (NULL for tickets taken in
--   before this migration: the priority's policy without segment applies).
ALTER TABLE tickets
    ADD COLUMN acknowledgement_due_at timestamptz,
    ADD COLUMN acknowledged_at timestamptz,
    ADD COLUMN expected_resolution_defaulted boolean NOT NULL DEFAULT false,
    ADD COLUMN sla_segment text CHECK (sla_segment IN ('vip', 'enterprise', 'regular'));

-- The clock names are SLAClockRule.all's (Swift); the table no longer keeps its own list of
-- them, only their shape.
ALTER TABLE ticket_sla_breaches DROP CONSTRAINT ticket_sla_breaches_clock_check;
ALTER TABLE ticket_sla_breaches ADD CONSTRAINT ticket_sla_breaches_clock_check CHECK (clock ~ '^[a-z_]{1,40}$');
