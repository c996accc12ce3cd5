-- 010 report rollups: per-tenant daily totals that the weekly report reads instead of every
-- ticket of the week, so its cost follows the days and dimensions of the week, not its tickets.
-- Triggers keep them in the transaction of the ticket change that feeds them (exactly the
-- tickets' own state: a rolled-back change leaves no trace). Days are UTC days of created_at.

-- Tickets created per UTC day, channel, category and priority, with the sums behind the
-- report's SLA compliance and average handling times.
CREATE TABLE report_daily (
    tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day                    date NOT NULL,
    channel                text NOT NULL,
    category               text NOT NULL,
    priority               text NOT NULL,
    tickets                integer NOT NULL DEFAULT 0,
    -- Tickets with a first response, and those answered by their first_response_due_at.
    responded              integer NOT NULL DEFAULT 0,
    on_time                integer NOT NULL DEFAULT 0,
    -- Sums of extract(epoch FROM first_response_at - created_at), resp. resolved_at (numeric,
    -- as extract returns: averages computed from these equal avg() over the tickets).
    first_response_seconds numeric NOT NULL DEFAULT 0,
    resolved               integer NOT NULL DEFAULT 0,
    resolution_seconds     numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, channel, category, priority)
);

-- Tag assignments per UTC day of the ticket's creation and tag.
CREATE TABLE report_daily_tags (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day       date NOT NULL,
    tag_id    uuid NOT NULL,
    tickets   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, tag_id)
);

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['report_daily', 'report_daily_tags']::regclass[]) AS t;

-- Deleting a whole tenant (kefu.deleting_tenant) cascades everything away: the triggers below
-- count nothing then. (Compared as uuid: the flag may be written in upper case.)
CREATE FUNCTION kefu_report_tenant_deleting(p_tenant_id uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(NULLIF(current_setting('kefu.deleting_tenant', true), '')::uuid = p_tenant_id, false)
$$;

-- Adds (sign 1) or removes (sign -1) one ticket's contribution.
CREATE FUNCTION kefu_report_count_ticket(t tickets, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_daily AS r (tenant_id, day, channel, category, priority, tickets, responded, on_time,
                                   first_response_seconds, resolved, resolution_seconds)
    VALUES (t.tenant_id, (t.created_at AT TIME ZONE 'UTC')::date, t.channel, t.category, t.priority, sign,
            sign * (t.first_response_at IS NOT NULL)::integer,
            sign * (t.first_response_at IS NOT NULL
                    AND (t.first_response_due_at IS NULL OR t.first_response_at <= t.first_response_due_at))::integer,
            sign * coalesce(extract(epoch FROM t.first_response_at - t.created_at), 0),
            sign * (t.resolved_at IS NOT NULL)::integer,
            sign * coalesce(extract(epoch FROM t.resolved_at - t.created_at), 0))
    ON CONFLICT (tenant_id, day, channel, category, priority) DO UPDATE SET
        tickets = r.tickets + excluded.tickets,
        responded = r.responded + excluded.responded,
        on_time = r.on_time + excluded.on_time,
        first_response_seconds = r.first_response_seconds + excluded.first_response_seconds,
        resolved = r.resolved + excluded.resolved,
        resolution_seconds = r.resolution_seconds + excluded.resolution_seconds;
END
$$;

-- Adds (sign 1) or removes (sign -1) tag assignments counted on `day`.
CREATE FUNCTION kefu_report_count_tags(p_tenant_id uuid, p_day date, p_tag_ids uuid[], sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_daily_tags AS r (tenant_id, day, tag_id, tickets)
    SELECT p_tenant_id, p_day, tag_id, sign * count(*) FROM unnest(p_tag_ids) tag_id GROUP BY tag_id
    ON CONFLICT (tenant_id, day, tag_id) DO UPDATE SET tickets = r.tickets + excluded.tickets;
END
$$;

CREATE FUNCTION kefu_report_tickets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tag_ids uuid[];
BEGIN
    IF kefu_report_tenant_deleting(coalesce(NEW.tenant_id, OLD.tenant_id)) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM kefu_report_count_ticket(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM kefu_report_count_ticket(NEW, 1);
    END IF;
    -- A ticket's tags are counted on its creation day: move them if that day changes.
    IF TG_OP = 'UPDATE' AND (OLD.created_at AT TIME ZONE 'UTC')::date <> (NEW.created_at AT TIME ZONE 'UTC')::date THEN
        SELECT array_agg(tag_id) INTO tag_ids FROM ticket_tags WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.id;
        IF tag_ids IS NOT NULL THEN
            PERFORM kefu_report_count_tags(OLD.tenant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, tag_ids, -1);
            PERFORM kefu_report_count_tags(NEW.tenant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, tag_ids, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_report_insert AFTER INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION kefu_report_tickets_changed();
CREATE TRIGGER tickets_report_delete AFTER DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION kefu_report_tickets_changed();
CREATE TRIGGER tickets_report_update AFTER UPDATE ON tickets
    FOR EACH ROW WHEN ((OLD.created_at, OLD.channel, OLD.category, OLD.priority, OLD.first_response_at,
                        OLD.first_response_due_at, OLD.resolved_at)
                       IS DISTINCT FROM (NEW.created_at, NEW.channel, NEW.category, NEW.priority, NEW.first_response_at,
                                         NEW.first_response_due_at, NEW.resolved_at))
    EXECUTE FUNCTION kefu_report_tickets_changed();

-- A deleted ticket's tags go with it: take them off while they are still there (the cascade
-- that deletes them runs after the ticket row is gone, when its day can no longer be read).
CREATE FUNCTION kefu_report_ticket_deleting() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tag_ids uuid[];
BEGIN
    IF NOT kefu_report_tenant_deleting(OLD.tenant_id) THEN
        SELECT array_agg(tag_id) INTO tag_ids FROM ticket_tags WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.id;
        IF tag_ids IS NOT NULL THEN
            PERFORM kefu_report_count_tags(OLD.tenant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, tag_ids, -1);
        END IF;
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER tickets_report_deleting BEFORE DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION kefu_report_ticket_deleting();

CREATE FUNCTION kefu_report_ticket_tags_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    created date;
BEGIN
    IF kefu_report_tenant_deleting(coalesce(NEW.tenant_id, OLD.tenant_id)) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        -- Not found: the ticket itself is being deleted (see kefu_report_ticket_deleting).
        SELECT (created_at AT TIME ZONE 'UTC')::date INTO created FROM tickets WHERE tenant_id = OLD.tenant_id AND id = OLD.ticket_id;
        IF FOUND THEN
            PERFORM kefu_report_count_tags(OLD.tenant_id, created, ARRAY[OLD.tag_id], -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT (created_at AT TIME ZONE 'UTC')::date INTO created FROM tickets WHERE tenant_id = NEW.tenant_id AND id = NEW.ticket_id;
        PERFORM kefu_report_count_tags(NEW.tenant_id, created, ARRAY[NEW.tag_id], 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_tags_report AFTER INSERT OR UPDATE OR DELETE ON ticket_tags
    FOR EACH ROW EXECUTE FUNCTION kefu_report_ticket_tags_changed();

-- Existing data, counted once; writers wait until the triggers are in place.
LOCK TABLE tickets, ticket_tags IN SHARE MODE;
INSERT INTO report_daily (tenant_id, day, channel, category, priority, tickets, responded, on_time,
                          first_response_seconds, resolved, resolution_seconds)
SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, channel, category, priority, count(*), count(first_response_at),
       count(*) FILTER (WHERE first_response_at IS NOT NULL AND (first_response_due_at IS NULL OR first_response_at <= first_response_due_at)),
       coalesce(sum(extract(epoch FROM first_response_at - created_at)), 0), count(resolved_at),
       coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0)
FROM tickets GROUP BY 1, 2, 3, 4, 5;
INSERT INTO report_daily_tags (tenant_id, day, tag_id, tickets)
SELECT tt.tenant_id, (t.created_at AT TIME ZONE 'UTC')::date, tt.tag_id, count(*)
FROM ticket_tags tt JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id
GROUP BY 1, 2, 3;

-- Reports read answered surveys by answer time (dissatisfaction points, CSAT per period), with
-- the rating and the ticket in the index (index-only scans).
CREATE INDEX surveys_answered_idx ON surveys (tenant_id, answered_at) INCLUDE (overall, ticket_id) WHERE answered_at IS NOT NULL;

-- Agent KPIs count each ticket's hand-offs (transfers, redispatches): only those are indexed.
CREATE INDEX ticket_assignments_handoffs_idx ON ticket_assignments (tenant_id, ticket_id) WHERE kind <> 'initial';
