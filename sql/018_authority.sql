-- 018 authority inside a tenant: the integration role, one vote per agent per article, hashed
-- survey tokens, and the fingerprint that goes with an intake's Idempotency-Key.

-- Channel gateways (chat, e-mail, social …) call Kefu with a key of an `integration` agent: they
-- take tickets in and write as the customer, nothing else (see KefuAction in the code).
ALTER TABLE agents DROP CONSTRAINT agents_role_check;
ALTER TABLE agents ADD CONSTRAINT agents_role_check
    CHECK (role IN ('agent', 'supervisor', 'qa', 'admin', 'integration'));

-- One vote per agent and article; a change of mind replaces the vote. The article keeps its
-- helpful / not-helpful counts (earlier anonymous votes stay counted); each vote moves them in
-- the same transaction, under the article's row lock.
CREATE TABLE kb_article_votes (
    tenant_id  uuid NOT NULL,
    article_id uuid NOT NULL,
    agent_id   uuid NOT NULL,
    helpful    boolean NOT NULL,
    voted_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, article_id, agent_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
SELECT kefu_isolate_tenant_table('kb_article_votes');
REVOKE DELETE, TRUNCATE ON kb_article_votes FROM kefu_app;

-- Survey tokens are credentials: only their SHA-256 is stored. The plain token exists once, when
-- the survey is created, and is handed to whoever sends the customer the link.
ALTER TABLE surveys ADD COLUMN token_hash bytea;
-- Hashing existing tokens must not be refused by triggers that guard archived tickets' records.
ALTER TABLE surveys DISABLE TRIGGER USER;
UPDATE surveys SET token_hash = sha256(convert_to(token, 'UTF8'));
ALTER TABLE surveys ENABLE TRIGGER USER;
ALTER TABLE surveys ALTER COLUMN token_hash SET NOT NULL;
ALTER TABLE surveys ADD CONSTRAINT surveys_tenant_id_token_hash_key UNIQUE (tenant_id, token_hash);
DROP FUNCTION kefu_survey_tenant(text);
ALTER TABLE surveys DROP COLUMN token;
CREATE INDEX surveys_token_hash_idx ON surveys (token_hash);

-- Resolves a survey token's hash (the customer has no API key) to its tenant and the tenant's
-- status, so that a suspended tenant's surveys are refused like its keys.
CREATE FUNCTION kefu_survey_tenant(p_token_hash bytea)
RETURNS TABLE (tenant_id uuid, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.tenant_id, t.status FROM surveys s JOIN tenants t ON t.id = s.tenant_id WHERE s.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION kefu_survey_tenant(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_survey_tenant(bytea) TO kefu_app;

-- The SHA-256 of an intake's canonical request, kept with its Idempotency-Key for the life of
-- the ticket: a retry with the same key and another request is refused. Tickets taken in
-- before this migration have none and match any request, as before.
ALTER TABLE tickets ADD COLUMN idempotency_fingerprint bytea;
