-- 009 quality: QA reviews of ticket conversations and customer complaints about agents.

CREATE TABLE qa_reviews (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id   uuid NOT NULL,
    agent_id    uuid NOT NULL,
    reviewer_id uuid NOT NULL,
    score       integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    checklist   jsonb NOT NULL DEFAULT '[]',
    comments    text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, reviewer_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX qa_reviews_agent_idx ON qa_reviews (tenant_id, agent_id, created_at);

CREATE TABLE agent_complaints (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    agent_id    uuid NOT NULL,
    ticket_id   uuid,
    description text NOT NULL,
    recorded_by uuid,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE SET NULL (ticket_id)
);
CREATE INDEX agent_complaints_agent_idx ON agent_complaints (tenant_id, agent_id, created_at);

-- Reports read tickets by creation and resolution time.
CREATE INDEX tickets_resolved_idx ON tickets (tenant_id, resolved_at) WHERE resolved_at IS NOT NULL;

SELECT kefu_isolate_tenant_table(t) FROM unnest(ARRAY['qa_reviews', 'agent_complaints']::regclass[]) AS t;
