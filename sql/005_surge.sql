-- 005 surge mode: per-minute intake counts, the detector's state, incidents with what they
-- changed, and post-incident reviews.

-- Intake per tenant, channel and minute, maintained in the intake transaction: counting stays
-- cheap whatever the size of the tickets table.
CREATE TABLE intake_minutes (
    tenant_id uuid NOT NULL,
    channel   text NOT NULL,
    minute    timestamptz NOT NULL,
    count     integer NOT NULL,
    PRIMARY KEY (tenant_id, channel, minute),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX intake_minutes_recent_idx ON intake_minutes (minute);

-- The tenant's contingency mode. The conditional update of `active` is what makes a switch
-- happen exactly once, whichever worker replica gets there first.
CREATE TABLE surge_modes (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    active             boolean NOT NULL DEFAULT false,
    incident_id        uuid,
    -- Since when the rate has stayed below the exit threshold (NULL while above it).
    calm_since         timestamptz,
    auto_replies_off   boolean NOT NULL DEFAULT false,
    fast_transfer      boolean NOT NULL DEFAULT false,
    changed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE incidents (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    channel       text NOT NULL,
    trigger       text NOT NULL CHECK (trigger IN ('detected', 'manual')),
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    live_count    integer NOT NULL,
    normal_count  double precision NOT NULL,
    ratio         double precision NOT NULL,
    baseline      text NOT NULL,
    actions       jsonb NOT NULL DEFAULT '[]',
    started_by    uuid,
    ended_by      uuid,
    PRIMARY KEY (tenant_id, id)
);
-- At most one open incident per tenant.
CREATE UNIQUE INDEX incidents_one_open_idx ON incidents (tenant_id) WHERE ended_at IS NULL;
CREATE INDEX incidents_list_idx ON incidents (tenant_id, started_at, id);

-- What level-1 response changed on each agent, to restore exactly that afterwards.
CREATE TABLE incident_agent_changes (
    tenant_id       uuid NOT NULL,
    incident_id     uuid NOT NULL,
    agent_id        uuid NOT NULL,
    previous_status text NOT NULL,
    applied_status  text NOT NULL,
    restored_at     timestamptz,
    kept_status     text,
    PRIMARY KEY (tenant_id, incident_id, agent_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE incident_reviews (
    tenant_id        uuid NOT NULL,
    incident_id      uuid NOT NULL,
    due_at           timestamptz NOT NULL,
    foreseeable      text,
    process_stalls   text,
    emergency_issues jsonb NOT NULL DEFAULT '[]',
    submitted_at     timestamptz,
    submitted_by     uuid,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, incident_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id) ON DELETE CASCADE
);

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['intake_minutes', 'surge_modes', 'incidents', 'incident_agent_changes', 'incident_reviews']::regclass[]) AS t;

-- Tenants the surge detector must look at now: intake within the window, or a mode that is on.
-- Owner rights, because the worker (application role) cannot see across tenants.
CREATE FUNCTION kefu_surge_candidates(p_since timestamptz)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT DISTINCT tenant_id FROM intake_minutes WHERE minute >= p_since
    UNION
    SELECT tenant_id FROM surge_modes WHERE active
$$;
REVOKE ALL ON FUNCTION kefu_surge_candidates(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_surge_candidates(timestamptz) TO kefu_app;
