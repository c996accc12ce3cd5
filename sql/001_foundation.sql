-- 001 foundation: extensions, the application role, and default privileges.
--
-- Migrations run as the owner role. The API and the worker connect as `kefu_app`, which owns
-- nothing, has no BYPASSRLS and is never granted TRUNCATE, so row-level security always applies.

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_app') THEN
        CREATE ROLE kefu_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
EXCEPTION
    -- Another database of the same cluster created it concurrently (roles are cluster-wide).
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO kefu_app;

-- Every table a later migration creates is readable and writable by the application role;
-- migrations revoke what a table must not allow (e.g. UPDATE/DELETE on append-only events).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kefu_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kefu_app;
