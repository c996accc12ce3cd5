-- 037 email in (issue 15 §4): `POST /v1/inbound/email/{token}` takes a raw RFC 5322 message. The
-- token is per tenant, shown once and stored as its SHA-256 like an API key; a new one replaces
-- the old at once. Every message taken (or ignored) is recorded by its Message-ID, the key that
-- makes a second delivery of the same message a no-op, even when two arrive at the same time.

-- The Message-ID of the mail a ticket message came in with, or went out with (the outgoing-mail
-- side adds the same column the same way): how a reply's In-Reply-To/References find their ticket.
ALTER TABLE ticket_messages ADD COLUMN IF NOT EXISTS email_message_id text;
CREATE INDEX IF NOT EXISTS ticket_messages_email_message_id_idx
    ON ticket_messages (tenant_id, email_message_id) WHERE email_message_id IS NOT NULL;

CREATE TABLE inbound_email_tokens (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL,
    -- The token's first characters, to tell tokens apart without revealing them.
    prefix     text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);
-- Not unique across tenants (only the tenant's own key is): a 238-bit random token does not collide.
CREATE INDEX inbound_email_tokens_hash_idx ON inbound_email_tokens (token_hash);
SELECT kefu_isolate_tenant_table('inbound_email_tokens');

-- One row per Message-ID a tenant received: what became of it. Held as long as the tenant, so a
-- message delivered again any time later is still a duplicate. No foreign key to the ticket: the
-- record is about the mail, and must not freeze with an archived ticket.
CREATE TABLE inbound_emails (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_id        text NOT NULL CHECK (length(message_id) BETWEEN 1 AND 998),
    outcome           text NOT NULL CHECK (outcome IN ('received', 'created', 'appended', 'ignored')),
    reason            text,
    ticket_id         uuid,
    ticket_message_id uuid,
    -- Attachments kept as references ({filename, content_type, size, sha256}) and those dropped.
    attachments       jsonb NOT NULL DEFAULT '[]',
    dropped           jsonb NOT NULL DEFAULT '[]',
    received_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX inbound_emails_ticket_idx ON inbound_emails (tenant_id, ticket_id) WHERE ticket_id IS NOT NULL;
SELECT kefu_isolate_tenant_table('inbound_emails');

-- Resolves an inbound token's hash (the sending MTA has no API key) to its tenant and the
-- tenant's status, so that a suspended tenant's mail is refused like its keys.
CREATE FUNCTION kefu_inbound_email_tenant(p_token_hash bytea)
RETURNS TABLE (tenant_id uuid, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT k.tenant_id, t.status FROM inbound_email_tokens k JOIN tenants t ON t.id = k.tenant_id WHERE k.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION kefu_inbound_email_tenant(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_inbound_email_tenant(bytea) TO kefu_app;
