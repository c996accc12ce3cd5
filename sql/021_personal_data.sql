-- 021 personal data (PIPL / GDPR): erasing one customer's personal data, archived tickets
-- included, through one audited owner-rights path.
--
-- What is erased: the customer's name (replaced by the tombstone `[erased]`), external id and
-- contacts; on each of their tickets the subject, description, contact and attachments; every
-- public message (written by or to the customer); the survey comments (the customer's words);
-- and any other free text on those tickets that names them (internal notes, the solution
-- summary, the auto-reply, owner hand-over notes and reasons, follow-up notes, QA comments,
-- complaints about agents): text that contains the name, the external id or a contact value,
-- case-insensitively. Internal notes that do not name the customer stay: they are the staff's
-- record of the work. Numbers, instants, ratings, tags, priorities and statuses stay, so the
-- reports add up as before.
--
-- Archived tickets and their records are read-only (sql/004, sql/017). The only exception,
-- besides deleting a tenant, is this function: while it runs it names the customer being erased
-- in `kefu.erasing_customer`, and the archive triggers let through what changes that customer's
-- tickets when the statement runs with the definer's rights (a session setting alone, which any
-- session can make, is not enough).

-- When the customer was erased (NULL: never). Erased customers are left out of lists.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;

-- The customer-level audit record: who erased the customer, when, why, and how many tickets
-- were erased with them. One row per customer: erasing twice finds it and changes nothing.
CREATE TABLE customer_erasures (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    erased_by   uuid NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    erased_at   timestamptz NOT NULL,
    tickets     integer NOT NULL,
    PRIMARY KEY (tenant_id, customer_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, erased_by) REFERENCES agents (tenant_id, id)
);
SELECT kefu_isolate_tenant_table('customer_erasures');
-- The application reads the record; only kefu_erase_customer writes it.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON customer_erasures FROM kefu_app;

-- Whether the statement running is kefu_erase_customer erasing this tenant's customer. Plain
-- SQL without a SET clause, so it is inlined into the row triggers that call it.
CREATE FUNCTION kefu_erasing_customer(p_tenant_id uuid, p_customer_id uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('kefu.erasing_customer', true), '') = p_tenant_id::text || '/' || p_customer_id::text
           AND current_user = 'kefu_definer'
$$;

CREATE OR REPLACE FUNCTION kefu_protect_archived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'archived' AND NOT kefu_deleting_tenant(OLD.tenant_id)
       AND NOT (TG_OP = 'UPDATE' AND NEW.status = 'archived' AND kefu_erasing_customer(OLD.tenant_id, OLD.customer_id)) THEN
        RAISE EXCEPTION 'ticket % is archived and read-only', OLD.number USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE OR REPLACE FUNCTION kefu_freeze_archived_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tickets WHERE tenant_id = OLD.tenant_id AND id = OLD.ticket_id AND status = 'archived'
                 AND NOT (TG_OP = 'UPDATE' AND kefu_erasing_customer(tenant_id, customer_id)))
       AND NOT kefu_deleting_tenant(OLD.tenant_id) THEN
        RAISE EXCEPTION 'ticket is archived and read-only' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- Whether `p_text` contains one of `p_marks` (lower-case), case-insensitively.
CREATE FUNCTION kefu_names_any(p_text text, p_marks text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_text IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(p_marks) m WHERE strpos(lower(p_text), m) > 0)
$$;

-- Erases the personal data of customer `p_customer_id` of the tenant in scope (`app.tenant_id`,
-- set by the application's tenant transaction; no tenant, nothing is reachable), as the admin
-- `p_actor_id` (an active admin of that tenant, else refused), for `p_reason` (1–500
-- characters), at `p_now`. Records an `erased` event on each of the customer's tickets (actor,
-- reason) and the customer_erasures row.
-- Returns no row for a customer the tenant does not have; the existing record with
-- already_erased = true for a customer erased before (nothing changes).
CREATE FUNCTION kefu_erase_customer(p_customer_id uuid, p_actor_id uuid, p_reason text, p_now timestamptz)
RETURNS TABLE (customer_id uuid, erased_at timestamptz, erased_by uuid, reason text, tickets integer, already_erased boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    tombstone CONSTANT text := '[erased]';
    v_tenant   uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    v_customer customers%ROWTYPE;
    v_record   customer_erasures%ROWTYPE;
    v_marks    text[];
    v_tickets  integer;
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION 'no tenant in scope' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM agents a WHERE a.tenant_id = v_tenant AND a.id = p_actor_id AND a.active AND a.role = 'admin') THEN
        RAISE EXCEPTION 'only an active admin of the tenant erases personal data' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'the reason must be 1 to 500 characters' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO v_customer FROM customers c WHERE c.tenant_id = v_tenant AND c.id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO v_record FROM customer_erasures e WHERE e.tenant_id = v_tenant AND e.customer_id = p_customer_id;
    IF FOUND THEN
        RETURN QUERY SELECT p_customer_id, v_record.erased_at, v_record.erased_by, v_record.reason, v_record.tickets, true;
        RETURN;
    END IF;

    -- What identifies the customer in free text: name, external id, contact values, the
    -- contacts given on their tickets.
    SELECT coalesce(array_agg(DISTINCT lower(btrim(m.mark))), '{}') INTO v_marks FROM (
        SELECT v_customer.name AS mark
        UNION ALL SELECT v_customer.external_id
        UNION ALL SELECT c ->> 'value' FROM jsonb_array_elements(v_customer.contacts) c
        UNION ALL SELECT t.contact FROM tickets t WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id
    ) m WHERE btrim(coalesce(m.mark, '')) <> '';

    PERFORM set_config('kefu.erasing_customer', v_tenant::text || '/' || p_customer_id::text, true);

    UPDATE ticket_messages m SET body = tombstone
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND m.tenant_id = v_tenant AND m.ticket_id = t.id
      AND (m.visibility = 'public' OR m.author_kind = 'customer' OR kefu_names_any(m.body, v_marks));
    UPDATE ticket_assignments a SET
        reason = CASE WHEN kefu_names_any(a.reason, v_marks) THEN tombstone ELSE a.reason END,
        handover_note = CASE WHEN kefu_names_any(a.handover_note, v_marks) THEN tombstone ELSE a.handover_note END
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND a.tenant_id = v_tenant AND a.ticket_id = t.id
      AND (kefu_names_any(a.reason, v_marks) OR kefu_names_any(a.handover_note, v_marks));
    UPDATE surveys s SET comment = tombstone
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND s.tenant_id = v_tenant AND s.ticket_id = t.id
      AND s.comment IS NOT NULL;
    UPDATE followups f SET notes = tombstone
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND f.tenant_id = v_tenant AND f.ticket_id = t.id
      AND kefu_names_any(f.notes, v_marks);
    UPDATE qa_reviews q SET comments = tombstone
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND q.tenant_id = v_tenant AND q.ticket_id = t.id
      AND kefu_names_any(q.comments, v_marks);
    UPDATE agent_complaints c SET description = tombstone
    FROM tickets t
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id AND c.tenant_id = v_tenant AND c.ticket_id = t.id
      AND kefu_names_any(c.description, v_marks);

    UPDATE tickets t SET
        subject = CASE WHEN t.subject IS NULL THEN NULL ELSE tombstone END,
        description = tombstone,
        contact = NULL,
        attachments = '[]',
        solution_summary = CASE WHEN kefu_names_any(t.solution_summary, v_marks) THEN tombstone ELSE t.solution_summary END,
        solution_options = CASE WHEN kefu_names_any(t.solution_options::text, v_marks) THEN '[]' ELSE t.solution_options END,
        auto_reply = CASE WHEN kefu_names_any(t.auto_reply, v_marks) THEN tombstone ELSE t.auto_reply END,
        updated_at = p_now
    WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id;
    GET DIAGNOSTICS v_tickets = ROW_COUNT;

    INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, after, created_at)
    SELECT v_tenant, t.id, 'agent', p_actor_id, 'erased', jsonb_build_object('reason', p_reason), p_now
    FROM tickets t WHERE t.tenant_id = v_tenant AND t.customer_id = p_customer_id;

    UPDATE customers c SET name = tombstone, external_id = NULL, contacts = '[]', erased_at = p_now, updated_at = p_now
    WHERE c.tenant_id = v_tenant AND c.id = p_customer_id;
    INSERT INTO customer_erasures (tenant_id, customer_id, erased_by, reason, erased_at, tickets)
    VALUES (v_tenant, p_customer_id, p_actor_id, p_reason, p_now, v_tickets);

    PERFORM set_config('kefu.erasing_customer', '', true);
    RETURN QUERY SELECT p_customer_id, p_now, p_actor_id, p_reason, v_tickets, false;
END
$$;
REVOKE ALL ON FUNCTION kefu_erase_customer(uuid, uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_erase_customer(uuid, uuid, text, timestamptz) TO kefu_app;
