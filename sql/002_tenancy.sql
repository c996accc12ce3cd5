-- 002 tenancy: tenants, departments, agents, API keys, row-level security.
--
-- Every tenant-owned table carries tenant_id, which leads its primary key and is part of every
-- unique constraint and foreign key (ready for Citus distribution by tenant_id). Row-level
-- security is enabled and FORCED on each, comparing tenant_id with the per-transaction setting
-- `SET LOCAL app.tenant_id = '<uuid>'`; an unset tenant matches nothing.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    timezone    text NOT NULL DEFAULT 'UTC',
    settings    jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Slugs are global: operators address tenants by slug. (tenants is the distribution root;
-- under Citus it becomes a reference table.)
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid));
-- The application reads and updates its own tenant row; only operators create or delete tenants.
REVOKE INSERT, DELETE ON tenants FROM kefu_app;

CREATE TABLE departments (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE agents (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'qa', 'admin')),
    tier          text NOT NULL DEFAULT 'junior' CHECK (tier IN ('junior', 'mid', 'senior')),
    skills        text[] NOT NULL DEFAULT '{}',
    duty_status   text NOT NULL DEFAULT 'on_duty' CHECK (duty_status IN ('on_duty', 'off_rotation', 'reserve', 'away')),
    department_id uuid,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id) ON DELETE SET NULL (department_id)
);
CREATE INDEX agents_list_idx ON agents (tenant_id, created_at, id);
CREATE INDEX agents_skills_idx ON agents USING gin (skills);

CREATE TABLE api_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    agent_id     uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The first characters of the key, shown in listings so people can tell keys apart.
    prefix       text NOT NULL,
    -- SHA-256 of the whole key. The key itself is shown once at creation and never stored.
    key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_hash_idx ON api_keys (key_hash);
CREATE INDEX api_keys_list_idx ON api_keys (tenant_id, created_at, id);
-- Keys are revoked, never deleted by the application (the record is the audit trail).
REVOKE DELETE ON api_keys FROM kefu_app;

-- Row-level security for a tenant table: enabled, FORCED (the owner is bound too unless it is a
-- superuser or has BYPASSRLS), and one policy comparing tenant_id with the transaction's tenant.
CREATE FUNCTION kefu_isolate_tenant_table(p_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
    EXECUTE format($p$CREATE POLICY tenant_isolation ON %s
        USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
        WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))$p$, p_table);
END
$$;
REVOKE ALL ON FUNCTION kefu_isolate_tenant_table(regclass) FROM PUBLIC;

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['departments', 'agents', 'api_keys']::regclass[]) AS t;

-- Resolves an API key hash to its tenant, agent and role before any tenant is known. It runs
-- with the owner's rights (bypassing RLS for this one lookup), returns nothing for revoked keys
-- or deactivated agents, and records the key's last use at most once a minute.
CREATE FUNCTION kefu_authenticate(p_key_hash bytea)
RETURNS TABLE (tenant_id uuid, tenant_status text, agent_id uuid, agent_role text, key_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH found AS (
        SELECT k.tenant_id, t.status AS tenant_status, a.id AS agent_id, a.role AS agent_role, k.id AS key_id,
               k.last_used_at
        FROM api_keys k
        JOIN tenants t ON t.id = k.tenant_id
        JOIN agents a ON a.tenant_id = k.tenant_id AND a.id = k.agent_id
        WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL AND a.active
    ), touched AS (
        UPDATE api_keys k SET last_used_at = now()
        FROM found f
        WHERE k.tenant_id = f.tenant_id AND k.id = f.key_id
          AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
        RETURNING k.id
    )
    SELECT f.tenant_id, f.tenant_status, f.agent_id, f.agent_role, f.key_id FROM found f
$$;
REVOKE ALL ON FUNCTION kefu_authenticate(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_authenticate(bytea) TO kefu_app;

-- Everything a tenant owns, as one JSON document, for export before deletion. It discovers the
-- tenant tables from the catalog, so tables added by later migrations are included. Operators
-- only (not granted to the application role); API key hashes are left out.
CREATE FUNCTION kefu_export_tenant(p_tenant_id uuid)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp
AS $$
DECLARE
    result jsonb;
    tbl    text;
    rows   jsonb;
BEGIN
    SELECT jsonb_build_object('tenant', to_jsonb(t)) INTO result FROM tenants t WHERE t.id = p_tenant_id;
    IF result IS NULL THEN
        RETURN NULL;
    END IF;
    FOR tbl IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name
    LOOP
        EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x) - ''key_hash''), ''[]'') FROM %I x WHERE tenant_id = $1', tbl)
            INTO rows USING p_tenant_id;
        result := result || jsonb_build_object(tbl, rows);
    END LOOP;
    RETURN result;
END
$$;
REVOKE ALL ON FUNCTION kefu_export_tenant(uuid) FROM PUBLIC;
