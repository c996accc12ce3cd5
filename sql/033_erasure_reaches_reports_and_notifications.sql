-- 033 erasure reaches problem reports and staff notifications. The problem feedback form
-- (sql/025) and the notifications outbox hold free text a supervisor or the system wrote about a
-- ticket; a customer's name or contact typed into them survived kefu_erase_customer. Now the
-- erasure also replaces, with the tombstone:
--   * a problem report's `problem` and `suggested_fix` that name the customer, when the report
--     lists one of the customer's tickets;
--   * a notification's message that names the customer, for notifications about the customer's
--     tickets.
-- Counts, statuses and instants stay, so the weekly report's problem section still adds up.
-- Same signature, result and grants as sql/029's function, which this one extends.
CREATE OR REPLACE FUNCTION kefu_erase_customer(p_customer_id uuid, p_actor_id uuid, p_reason text, p_now timestamptz)
RETURNS TABLE (customer_id uuid, erased_at timestamptz, erased_by uuid, reason text, tickets integer, already_erased boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_tenant  uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    v_marks   text[];
    v_tickets uuid[];
BEGIN
    IF v_tenant IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM customer_erasures e WHERE e.tenant_id = v_tenant AND e.customer_id = p_customer_id) THEN
        -- Before the records part: it erases the contacts that make the marks.
        v_marks := kefu_customer_marks(v_tenant, p_customer_id);
        v_tickets := ARRAY(SELECT t.id FROM tickets t WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id);
        PERFORM set_config('kefu.erasing_customer', v_tenant::text || '/' || p_customer_id::text, true);
        UPDATE ticket_events ev SET
            before = kefu_scrub_event_values(ev.before, v_marks),
            after = kefu_scrub_event_values(ev.after, v_marks)
        WHERE ev.tenant_id = v_tenant AND ev.ticket_id = ANY (v_tickets)
          AND (kefu_scrub_event_values(ev.before, v_marks) IS DISTINCT FROM ev.before
               OR kefu_scrub_event_values(ev.after, v_marks) IS DISTINCT FROM ev.after);
        UPDATE problem_reports r SET
            problem = CASE WHEN kefu_names_any(r.problem, v_marks) THEN '[erased]' ELSE r.problem END,
            suggested_fix = CASE WHEN kefu_names_any(r.suggested_fix, v_marks) THEN '[erased]' ELSE r.suggested_fix END
        WHERE r.tenant_id = v_tenant AND r.ticket_ids && v_tickets
          AND (kefu_names_any(r.problem, v_marks) OR kefu_names_any(r.suggested_fix, v_marks));
        UPDATE notifications n SET message = '[erased]'
        WHERE n.tenant_id = v_tenant AND n.ticket_id = ANY (v_tickets) AND kefu_names_any(n.message, v_marks);
        PERFORM set_config('kefu.erasing_customer', '', true);
    END IF;
    RETURN QUERY SELECT * FROM kefu_erase_customer_records(p_customer_id, p_actor_id, p_reason, p_now);
END
$$;
