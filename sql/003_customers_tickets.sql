-- 003 customers and tickets: customers, the tag taxonomy, routing rules, tickets with their SLA
-- clocks, the conversation, owner history, SLA breaches and the append-only audit trail.

CREATE TABLE customers (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    external_id   text,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    segment       text NOT NULL DEFAULT 'regular' CHECK (segment IN ('vip', 'enterprise', 'regular')),
    high_value    boolean NOT NULL DEFAULT false,
    -- [{"kind": "phone|email|chat", "value": "…", "consent": true}]; stored only with consent.
    contacts      jsonb NOT NULL DEFAULT '[]',
    first_seen_at timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX customers_list_idx ON customers (tenant_id, created_at, id);
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);

-- A three-level taxonomy (e.g. product usage › feature operation › payment error).
CREATE TABLE tags (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    parent_id  uuid,
    level      smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE NULLS NOT DISTINCT (tenant_id, parent_id, name),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES tags (tenant_id, id),
    CHECK ((level = 1) = (parent_id IS NULL))
);

-- Intake routing: the first active rule (by position) whose conditions all match picks a
-- skill and/or tier; NULL conditions match anything.
CREATE TABLE routing_rules (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    position     integer NOT NULL DEFAULT 100,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    keywords     text[] NOT NULL DEFAULT '{}',
    segment      text CHECK (segment IN ('vip', 'enterprise', 'regular')),
    new_customer boolean,
    category     text CHECK (category IN ('inquiry', 'fault', 'suggestion', 'complaint')),
    channel      text,
    skill        text,
    min_tier     text CHECK (min_tier IN ('junior', 'mid', 'senior')),
    max_tier     text CHECK (max_tier IN ('junior', 'mid', 'senior')),
    priority     text CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- Per-tenant ticket numbers: gapless and unique under concurrency (row lock on the counter).
CREATE TABLE ticket_counters (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    last_number bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE tickets (
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    number                  bigint NOT NULL,
    customer_id             uuid NOT NULL,
    contact                 text,
    channel                 text NOT NULL CHECK (channel IN ('chat', 'phone', 'email', 'web_form', 'in_app', 'social', 'community', 'api')),
    subject                 text,
    description             text NOT NULL,
    attachments             jsonb NOT NULL DEFAULT '[]',
    occurred_at             timestamptz,
    expected_resolution_at  timestamptz,
    category                text NOT NULL CHECK (category IN ('inquiry', 'fault', 'suggestion', 'complaint')),
    priority                text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    status                  text NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'waiting_on_customer',
                                                            'escalated', 'resolved', 'closed', 'archived')),
    skill                   text,
    tier                    text CHECK (tier IN ('junior', 'mid', 'senior')),
    owner_id                uuid,
    first_owner_id          uuid,
    department_id           uuid,
    department_due_at       timestamptz,
    solution_summary        text,
    solution_options        jsonb NOT NULL DEFAULT '[]',
    compensation            jsonb,
    auto_reply              text,
    human_available_at      timestamptz,
    reopen_count            integer NOT NULL DEFAULT 0,
    idempotency_key         text,
    -- Milestones.
    created_at              timestamptz NOT NULL,
    assigned_at             timestamptz,
    first_response_at       timestamptz,
    plan_at                 timestamptz,
    last_public_update_at   timestamptz,
    resolved_at             timestamptz,
    closed_at               timestamptz,
    archived_at             timestamptz,
    updated_at              timestamptz NOT NULL,
    -- SLA clocks: due instants (NULL = no target / met), paused while waiting on the customer.
    channel_response_due_at timestamptz,
    first_response_due_at   timestamptz,
    plan_due_at             timestamptz,
    progress_due_at         timestamptz,
    resolution_due_at       timestamptz,
    sla_paused_at           timestamptz,
    breached                boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES agents (tenant_id, id),
    FOREIGN KEY (tenant_id, first_owner_id) REFERENCES agents (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);
-- Queues: the common filters lead with tenant_id and end with the keyset order.
CREATE INDEX tickets_queue_idx ON tickets (tenant_id, created_at, id);
CREATE INDEX tickets_status_idx ON tickets (tenant_id, status, created_at, id);
CREATE INDEX tickets_owner_idx ON tickets (tenant_id, owner_id, status, created_at, id);
CREATE INDEX tickets_priority_idx ON tickets (tenant_id, priority, status, created_at, id);
CREATE INDEX tickets_customer_idx ON tickets (tenant_id, customer_id, created_at, id);
-- Due work for the worker: only open clocks are indexed.
CREATE INDEX tickets_first_response_due_idx ON tickets (first_response_due_at) WHERE first_response_due_at IS NOT NULL AND sla_paused_at IS NULL;
CREATE INDEX tickets_progress_due_idx ON tickets (progress_due_at) WHERE progress_due_at IS NOT NULL AND sla_paused_at IS NULL;
CREATE INDEX tickets_plan_due_idx ON tickets (plan_due_at) WHERE plan_due_at IS NOT NULL AND sla_paused_at IS NULL;

CREATE TABLE ticket_tags (
    tenant_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    tag_id    uuid NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, tag_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id)
);
CREATE INDEX ticket_tags_tag_idx ON ticket_tags (tenant_id, tag_id, ticket_id);

-- The conversation: customer and agent messages, public replies and internal notes.
CREATE TABLE ticket_messages (
    tenant_id   uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    author_kind text NOT NULL CHECK (author_kind IN ('customer', 'agent', 'system')),
    author_id   uuid,
    visibility  text NOT NULL CHECK (visibility IN ('public', 'internal')),
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (tenant_id, ticket_id, seq);

-- Who owned the ticket when: first take, transfers (reason + hand-over note) and redispatches.
CREATE TABLE ticket_assignments (
    tenant_id        uuid NOT NULL,
    ticket_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    kind             text NOT NULL CHECK (kind IN ('initial', 'transfer', 'redispatch')),
    from_agent_id    uuid,
    to_agent_id      uuid NOT NULL,
    by_agent_id      uuid,
    reason           text,
    handover_note    text,
    seconds_since_previous double precision,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, to_agent_id) REFERENCES agents (tenant_id, id)
);
CREATE INDEX ticket_assignments_ticket_idx ON ticket_assignments (tenant_id, ticket_id, created_at);

-- A missed SLA clock, with the measured times. Unique per clock so it is recorded once.
CREATE TABLE ticket_sla_breaches (
    tenant_id   uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    clock       text NOT NULL CHECK (clock IN ('channel_response', 'first_response', 'plan', 'progress', 'resolution', 'department')),
    due_at      timestamptz NOT NULL,
    met_at      timestamptz,
    detected_at timestamptz NOT NULL,
    late_seconds double precision NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, clock, due_at),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);

-- The audit trail: every change of a ticket, in the same transaction as the change.
CREATE TABLE ticket_events (
    tenant_id  uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    actor_kind text NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    actor_id   uuid,
    kind       text NOT NULL,
    before     jsonb,
    after      jsonb,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (tenant_id, ticket_id, seq);
REVOKE UPDATE, DELETE ON ticket_events FROM kefu_app;

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['customers', 'tags', 'routing_rules', 'ticket_counters', 'tickets', 'ticket_tags', 'ticket_messages', 'ticket_assignments', 'ticket_sla_breaches', 'ticket_events']::regclass[]) AS t;
