-- 006 scheduled events (sales promotions …): reserve agents are activated ahead of the start
-- (surge.reserve_lead_days, default 3 days) and returned after the end; incidents during an
-- event are linked to it.

CREATE TABLE scheduled_events (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '',
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    -- When reserve agents go on duty: starts_at minus the tenant's lead time at creation.
    activate_at  timestamptz NOT NULL,
    activated_at timestamptz,
    returned_at  timestamptz,
    created_by   uuid,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX scheduled_events_pending_idx ON scheduled_events (activate_at) WHERE activated_at IS NULL;
CREATE INDEX scheduled_events_running_idx ON scheduled_events (ends_at) WHERE activated_at IS NOT NULL AND returned_at IS NULL;

CREATE TABLE event_agent_changes (
    tenant_id       uuid NOT NULL,
    event_id        uuid NOT NULL,
    agent_id        uuid NOT NULL,
    previous_status text NOT NULL,
    applied_status  text NOT NULL,
    restored_at     timestamptz,
    PRIMARY KEY (tenant_id, event_id, agent_id),
    FOREIGN KEY (tenant_id, event_id) REFERENCES scheduled_events (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE incidents ADD COLUMN event_id uuid;
ALTER TABLE incidents ADD FOREIGN KEY (tenant_id, event_id) REFERENCES scheduled_events (tenant_id, id) ON DELETE SET NULL (event_id);

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['scheduled_events', 'event_agent_changes']::regclass[]) AS t;

-- Tenants the surge detector must evaluate now, found in one set-based statement so a sweep over
-- many tenants stays cheap: those whose intake in their window reaches their minimum volume (no
-- surge is possible below it), those in surge mode (to detect the exit), and those with a
-- scheduled event whose staffing change is due. The detector passes its own clock; p_since
-- bounds the scan (no tenant window is longer than the span from p_since to p_now).
DROP FUNCTION kefu_surge_candidates(timestamptz);
CREATE FUNCTION kefu_surge_candidates(p_since timestamptz, p_now timestamptz)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT m.tenant_id
    FROM intake_minutes m JOIN tenants t ON t.id = m.tenant_id
    WHERE m.minute >= p_since AND m.minute <= p_now
      AND m.minute > p_now - make_interval(mins => coalesce((t.settings #>> '{surge,window_minutes}')::int, 15))
    GROUP BY m.tenant_id, t.settings
    HAVING sum(m.count) >= coalesce((t.settings #>> '{surge,minimum_volume}')::int, 20)
    UNION
    SELECT tenant_id FROM surge_modes WHERE active
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NULL AND activate_at <= p_now
    UNION
    SELECT tenant_id FROM scheduled_events WHERE activated_at IS NOT NULL AND returned_at IS NULL AND ends_at <= p_now
$$;
REVOKE ALL ON FUNCTION kefu_surge_candidates(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_surge_candidates(timestamptz, timestamptz) TO kefu_app;
