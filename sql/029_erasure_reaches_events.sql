-- 029 erasure reaches the event log. kefu_erase_customer (sql/021) replaced the customer's text in
-- tickets, messages and the other records, but ticket events keep copies of free text in their
-- `before`/`after` (a transfer's reason and hand-over note, an edit's old and new subject). Now
-- the erasure also rewrites, in the events of the customer's tickets, every string value that
-- names the customer and every value of a key that is the customer's own text (subject,
-- description, contact, name, external id, contacts); numbers, instants and statuses stay.
--
-- The sql/021 function keeps doing the rest, renamed kefu_erase_customer_records and callable
-- only from here; kefu_erase_customer keeps its signature, result and grants.

-- The marks that identify customer `p_customer_id` of `p_tenant_id` in free text (lower-case):
-- name, external id, contact values, the contacts given on their tickets.
CREATE FUNCTION kefu_customer_marks(p_tenant_id uuid, p_customer_id uuid) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT lower(btrim(m.mark))), '{}') FROM (
        SELECT c.name AS mark FROM customers c WHERE c.tenant_id = p_tenant_id AND c.id = p_customer_id
        UNION ALL SELECT c.external_id FROM customers c WHERE c.tenant_id = p_tenant_id AND c.id = p_customer_id
        UNION ALL SELECT x ->> 'value' FROM customers c, jsonb_array_elements(c.contacts) x
                  WHERE c.tenant_id = p_tenant_id AND c.id = p_customer_id
        UNION ALL SELECT t.contact FROM tickets t WHERE t.tenant_id = p_tenant_id AND t.customer_id = p_customer_id
    ) m WHERE btrim(coalesce(m.mark, '')) <> ''
$$;

-- `p_value` (an event's flat before/after object) with the tombstone in place of every value
-- under the customer's own keys and every string value that names one of `p_marks`.
CREATE FUNCTION kefu_scrub_event_values(p_value jsonb, p_marks text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_value IS NULL OR jsonb_typeof(p_value) <> 'object' THEN p_value ELSE (
        SELECT coalesce(jsonb_object_agg(e.key, CASE
                   WHEN e.value <> 'null'::jsonb
                        AND e.key IN ('subject', 'description', 'contact', 'name', 'external_id', 'contacts')
                       THEN to_jsonb('[erased]'::text)
                   WHEN jsonb_typeof(e.value) = 'string' AND kefu_names_any(e.value #>> '{}', p_marks)
                       THEN to_jsonb('[erased]'::text)
                   ELSE e.value END), '{}'::jsonb)
        FROM jsonb_each(p_value) e
    ) END
$$;

ALTER FUNCTION kefu_erase_customer(uuid, uuid, text, timestamptz) RENAME TO kefu_erase_customer_records;
REVOKE EXECUTE ON FUNCTION kefu_erase_customer_records(uuid, uuid, text, timestamptz) FROM kefu_app;

-- As sql/021's kefu_erase_customer (same arguments, result and checks, which the records part
-- makes: a refusal there rolls the event rewrite back with everything else), plus the events.
CREATE FUNCTION kefu_erase_customer(p_customer_id uuid, p_actor_id uuid, p_reason text, p_now timestamptz)
RETURNS TABLE (customer_id uuid, erased_at timestamptz, erased_by uuid, reason text, tickets integer, already_erased boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    v_marks  text[];
BEGIN
    IF v_tenant IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM customer_erasures e WHERE e.tenant_id = v_tenant AND e.customer_id = p_customer_id) THEN
        -- Before the records part: it erases the contacts that make the marks.
        v_marks := kefu_customer_marks(v_tenant, p_customer_id);
        PERFORM set_config('kefu.erasing_customer', v_tenant::text || '/' || p_customer_id::text, true);
        UPDATE ticket_events ev SET
            before = kefu_scrub_event_values(ev.before, v_marks),
            after = kefu_scrub_event_values(ev.after, v_marks)
        FROM tickets t
        WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND ev.tenant_id = v_tenant AND ev.ticket_id = t.id
          AND (kefu_scrub_event_values(ev.before, v_marks) IS DISTINCT FROM ev.before
               OR kefu_scrub_event_values(ev.after, v_marks) IS DISTINCT FROM ev.after);
        PERFORM set_config('kefu.erasing_customer', '', true);
    END IF;
    RETURN QUERY SELECT * FROM kefu_erase_customer_records(p_customer_id, p_actor_id, p_reason, p_now);
END
$$;
REVOKE ALL ON FUNCTION kefu_erase_customer(uuid, uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_erase_customer(uuid, uuid, text, timestamptz) TO kefu_app;
