-- Deleting a tenant with a real history: tags on tickets, owner history, knowledge-base
-- articles, follow-ups... A single DELETE FROM tenants relied on the cascades reaching every
-- referencing row before the non-cascading keys between tenant tables (ticket_tags -> tags,
-- ticket_assignments -> agents, tickets -> customers, ...) were checked, which they do not.
-- This deletes the tenant's rows table by table, each table only after every table that
-- references it, in the order the catalog gives (so tables of later migrations are included),
-- then the tenant itself. Operators only: not granted to the application role.
CREATE FUNCTION kefu_delete_tenant(p_tenant_id uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    remaining  text[];
    progressed boolean;
    tbl        text;
BEGIN
    -- History tables refuse changes unless this flag names the tenant being deleted.
    PERFORM set_config('kefu.deleting_tenant', p_tenant_id::text, true);
    SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname), '{}') INTO remaining
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p');
    WHILE cardinality(remaining) > 0 LOOP
        progressed := false;
        FOREACH tbl IN ARRAY remaining LOOP
            IF NOT EXISTS (
                SELECT 1 FROM pg_constraint k
                JOIN pg_class referencing ON referencing.oid = k.conrelid
                WHERE k.contype = 'f' AND k.confrelid = format('public.%I', tbl)::regclass
                  AND k.conrelid <> k.confrelid AND referencing.relname::text = ANY (remaining)
            ) THEN
                EXECUTE format('DELETE FROM public.%I WHERE tenant_id = $1', tbl) USING p_tenant_id;
                remaining := array_remove(remaining, tbl);
                progressed := true;
            END IF;
        END LOOP;
        IF NOT progressed THEN
            RAISE EXCEPTION 'tenant tables reference each other in a cycle: %', remaining;
        END IF;
    END LOOP;
    DELETE FROM tenants WHERE id = p_tenant_id;
END
$$;
REVOKE ALL ON FUNCTION kefu_delete_tenant(uuid) FROM PUBLIC;
