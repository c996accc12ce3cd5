-- 024 department hand-offs, information requests, plans and task forces (issue 14 §2–§3).
--
-- Five more SLA clocks, each a pair of ticket columns (when it is due, what meets it) that
-- `SLAClockRule` describes, so the worker's `kefu_act_on_sla_timers` (sql/020) records their
-- breaches and alerts the supervisors exactly as for the older clocks, with no SQL of its own:
--
--   info_request       a response marked `missing_info` asks the customer within
--                      sla.missing_info_request_minutes of the first response; met by request-info
--   department_notify  the escalated department acknowledges within sla.department_notify_minutes
--   blocker_report     a department still without a hand-back at its reply deadline is blocked and
--                      reports the blocker within sla.blocker_report_minutes of that deadline
--   solution_handback  once the department records its solution ready, it hands it back within
--                      sla.solution_handback_minutes
--   customer_contact   after the hand-back the owner contacts the customer within
--                      sla.customer_contact_minutes; met by the owner's next public message
ALTER TABLE tickets
    ADD COLUMN info_request_due_at      timestamptz,
    ADD COLUMN info_requested_at        timestamptz,
    ADD COLUMN department_notify_due_at timestamptz,
    ADD COLUMN department_acked_at      timestamptz,
    ADD COLUMN blocker_report_due_at    timestamptz,
    ADD COLUMN blocker_reported_at      timestamptz,
    ADD COLUMN solution_ready_at        timestamptz,
    ADD COLUMN solution_handback_due_at timestamptz,
    ADD COLUMN customer_contact_due_at  timestamptz,
    ADD COLUMN customer_contacted_at    timestamptz;

-- Their breaches need no change to ticket_sla_breaches: since sql/023 its clock check is only the
-- names' shape, the names being SLAClockRule.all's.

-- A plan: the measures (as told to the customer), who executes them, by when, the compensation
-- if any. P1/P2 and complex plans need a supervisor's approval; every plan needs the customer's
-- confirmation before it is executed. A newer plan supersedes one not yet executed.
CREATE TABLE ticket_plans (
    tenant_id         uuid NOT NULL,
    id                uuid NOT NULL,
    ticket_id         uuid NOT NULL,
    measures          text NOT NULL CHECK (length(measures) BETWEEN 1 AND 20000),
    executor_id       uuid NOT NULL,
    complete_by       timestamptz,
    compensation      jsonb,
    complex           boolean NOT NULL,
    requires_approval boolean NOT NULL,
    status            text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'confirmed', 'executed', 'superseded')),
    proposed_by       uuid,
    created_at        timestamptz NOT NULL,
    decided_by        uuid,
    decided_at        timestamptz,
    rejection_reason  text CHECK (length(rejection_reason) <= 2000),
    confirmed_by      uuid,
    confirmed_at      timestamptz,
    confirmation      text CHECK (length(confirmation) <= 2000),
    executed_by       uuid,
    executed_at       timestamptz,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, executor_id) REFERENCES agents (tenant_id, id)
);
CREATE INDEX ticket_plans_ticket_idx ON ticket_plans (tenant_id, ticket_id, created_at);
-- At most one plan in progress per ticket.
CREATE UNIQUE INDEX ticket_plans_current_idx ON ticket_plans (tenant_id, ticket_id)
    WHERE status IN ('proposed', 'approved', 'confirmed');

-- A temporary task force for a P1/P2 ticket: members (from any departments), a lead among them
-- and a deadline. Disbanding keeps the record (the application deletes nothing).
CREATE TABLE ticket_teams (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    ticket_id    uuid NOT NULL,
    lead_id      uuid NOT NULL,
    deadline     timestamptz NOT NULL,
    formed_by    uuid NOT NULL,
    formed_at    timestamptz NOT NULL,
    disbanded_by uuid,
    disbanded_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, lead_id) REFERENCES agents (tenant_id, id)
);
CREATE UNIQUE INDEX ticket_teams_current_idx ON ticket_teams (tenant_id, ticket_id) WHERE disbanded_at IS NULL;

CREATE TABLE ticket_team_members (
    tenant_id uuid NOT NULL,
    team_id   uuid NOT NULL,
    agent_id  uuid NOT NULL,
    PRIMARY KEY (tenant_id, team_id, agent_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES ticket_teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id)
);
-- `GET /v1/tickets?team_member=me`: the caller's teams.
CREATE INDEX ticket_team_members_agent_idx ON ticket_team_members (tenant_id, agent_id);

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['ticket_plans', 'ticket_teams', 'ticket_team_members']::regclass[]) AS t;

-- Plans and task forces are part of an archived ticket's record (sql/017).
CREATE TRIGGER ticket_plans_archived_frozen BEFORE UPDATE OR DELETE ON ticket_plans
    FOR EACH ROW EXECUTE FUNCTION kefu_freeze_archived_children();
CREATE TRIGGER ticket_teams_archived_frozen BEFORE UPDATE OR DELETE ON ticket_teams
    FOR EACH ROW EXECUTE FUNCTION kefu_freeze_archived_children();

-- Erasing a customer (kefu_erase_customer, sql/021) erases what their plans told them: the
-- measures (also posted to them as a public message, which 021 erases) and the confirmation
-- recorded from their words. It runs when that function stamps the customer erased, with the
-- function's rights and its `kefu.erasing_customer` scope, so archived tickets' plans change too.
CREATE FUNCTION kefu_erase_customer_plans() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_plans p SET measures = '[erased]', confirmation = CASE WHEN p.confirmation IS NULL THEN NULL ELSE '[erased]' END
    FROM tickets t
    WHERE t.tenant_id = NEW.tenant_id AND t.customer_id = NEW.id AND p.tenant_id = NEW.tenant_id AND p.ticket_id = t.id;
    RETURN NEW;
END
$$;
CREATE TRIGGER customers_erase_plans AFTER UPDATE OF erased_at ON customers
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION kefu_erase_customer_plans();

-- Who else hears of a hand-off deadline the worker finds missed (besides the supervisors, whom
-- kefu_act_on_sla_timers alerts for every clock): the escalated department's active members for
-- its acknowledgement, blocker report and hand-back (`department_reminder`); the ticket's owner
-- for the information request and the customer contact (`owner_reminder`). Only breaches found
-- by the worker (met_at NULL) remind: a late action records its breach as it happens.
CREATE FUNCTION kefu_remind_handoff_breach() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.met_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF NEW.clock IN ('department_notify', 'blocker_report', 'solution_handback') THEN
        INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
        SELECT NEW.tenant_id, a.id, 'department_reminder', NEW.ticket_id,
               format('%s: your department missed its %s deadline', kefu_ticket_reference(t.number), replace(NEW.clock, '_', ' ')),
               NEW.detected_at
        FROM tickets t
        JOIN agents a ON a.tenant_id = t.tenant_id AND a.department_id = t.department_id AND a.active AND a.role <> 'integration'
        WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id
        ORDER BY a.id;
    ELSIF NEW.clock IN ('info_request', 'customer_contact') THEN
        INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
        SELECT NEW.tenant_id, t.owner_id, 'owner_reminder', NEW.ticket_id,
               format('%s: the customer is overdue a %s', kefu_ticket_reference(t.number),
                      CASE NEW.clock WHEN 'info_request' THEN 'request for the missing information' ELSE 'contact after the department''s hand-back' END),
               NEW.detected_at
        FROM tickets t
        WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id AND t.owner_id IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sla_breaches_remind AFTER INSERT ON ticket_sla_breaches
    FOR EACH ROW WHEN (NEW.clock IN ('info_request', 'department_notify', 'blocker_report', 'solution_handback', 'customer_contact'))
    EXECUTE FUNCTION kefu_remind_handoff_breach();
