-- 007 knowledge base and reply scripts.
-- Categories reuse the tenant's three-level tag taxonomy (one tree for tickets and articles).
-- Search works for English (stemmed full text) and Chinese (pg_trgm trigrams, which need a
-- UTF-8 locale that classifies CJK characters as letters, e.g. C.UTF-8).

CREATE TABLE kb_articles (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body            text NOT NULL,
    category_tag_id uuid,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    author_id       uuid,
    version         integer NOT NULL DEFAULT 1,
    helpful         integer NOT NULL DEFAULT 0,
    not_helpful     integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    published_at    timestamptz,
    search          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_tag_id) REFERENCES tags (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES agents (tenant_id, id) ON DELETE SET NULL (author_id)
);
CREATE INDEX kb_articles_search_idx ON kb_articles USING gin (search);
CREATE INDEX kb_articles_trgm_idx ON kb_articles USING gin ((title || ' ' || body) gin_trgm_ops);
CREATE INDEX kb_articles_list_idx ON kb_articles (tenant_id, created_at, id);

-- Every edit is a new version; restoring one writes it again as the newest.
CREATE TABLE kb_article_versions (
    tenant_id       uuid NOT NULL,
    article_id      uuid NOT NULL,
    version         integer NOT NULL,
    title           text NOT NULL,
    body            text NOT NULL,
    category_tag_id uuid,
    status          text NOT NULL,
    edited_by       uuid,
    note            text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, article_id, version),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE
);

-- "Solved by": tickets an article helped resolve.
CREATE TABLE kb_article_tickets (
    tenant_id  uuid NOT NULL,
    article_id uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    linked_by  uuid,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, article_id, ticket_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);

-- Canned replies (话术) with placeholders filled from a ticket.
CREATE TABLE reply_scripts (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    kind       text NOT NULL CHECK (kind IN ('soothe', 'explain', 'apologize', 'handover', 'progress')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    body       text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, kind, name)
);

SELECT kefu_isolate_tenant_table(t)
FROM unnest(ARRAY['kb_articles', 'kb_article_versions', 'kb_article_tickets', 'reply_scripts']::regclass[]) AS t;
REVOKE UPDATE, DELETE ON kb_article_versions FROM kefu_app;

-- Intake suggests the top published articles for the ticket's description.
ALTER TABLE tickets ADD COLUMN suggested_article_ids uuid[] NOT NULL DEFAULT '{}';
