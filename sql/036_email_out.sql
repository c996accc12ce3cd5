-- 036 email out (issue 15 §4). Customer-facing messages (public messages written by an agent or
-- by Kefu: acknowledgements, replies, notices, survey invitations) of a ticket whose customer has
-- an email address (the contact of an email ticket, else a consented email contact) become
-- deliveries of the outbox (sql/034) with the target kind email, written in the message's
-- transaction by their own trigger, when a relay is configured: the tenant's own (mail_relays)
-- or the deployment's (announced by the worker, deployment_mail). The worker renders the MIME
-- message at the first attempt and sends it over SMTP; retries, dead letters and attempts are the
-- webhooks'.

-- The Message-ID of an inbound customer mail (threading: In-Reply-To of the replies).
ALTER TABLE ticket_messages ADD COLUMN IF NOT EXISTS email_message_id text;

-- A tenant's own SMTP relay. The password is sealed with the deployment key (KEFU_SECRET_KEY,
-- AES-GCM) and never leaves the database in plain.
CREATE TABLE mail_relays (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    host            text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port            integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security        text NOT NULL CHECK (security IN ('starttls', 'implicit')),
    username        text CHECK (length(username) BETWEEN 1 AND 200),
    password_sealed bytea,
    from_address    text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 320),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id),
    CHECK ((username IS NULL) = (password_sealed IS NULL))
);
SELECT kefu_isolate_tenant_table('mail_relays');
GRANT DELETE ON mail_relays TO kefu_app;

-- The deployment's relay, as the worker announces it at start (KEFU_SMTP_URL, KEFU_SMTP_FROM):
-- one row when it has one, none otherwise. Only its from-address is kept here.
CREATE TABLE deployment_mail (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 320),
    announced_at timestamptz NOT NULL
);
REVOKE ALL ON deployment_mail FROM kefu_app, kefu_worker;
GRANT SELECT ON deployment_mail TO kefu_app, kefu_worker;

CREATE FUNCTION kefu_announce_deployment_mail(p_from text, p_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    DELETE FROM deployment_mail WHERE p_from IS NULL;
    INSERT INTO deployment_mail (from_address, announced_at) SELECT p_from, p_at WHERE p_from IS NOT NULL
    ON CONFLICT (singleton) DO UPDATE SET from_address = EXCLUDED.from_address, announced_at = EXCLUDED.announced_at;
$$;
REVOKE ALL ON FUNCTION kefu_announce_deployment_mail(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_announce_deployment_mail(text, timestamptz) TO kefu_worker;

-- The survey invitation's link: the token sealed with the deployment key (only when the API has
-- one), and the message that invites.
ALTER TABLE surveys ADD COLUMN token_sealed bytea, ADD COLUMN invitation_message_id uuid;

-- A delivery goes to a webhook, to a robot, or by email to the ticket's customer.
ALTER TABLE deliveries
    DROP CONSTRAINT deliveries_check,
    ADD COLUMN email boolean NOT NULL DEFAULT false,
    ADD CHECK (num_nonnulls(webhook_id, robot_id) + email::int = 1);
CREATE INDEX deliveries_email_idx ON deliveries (tenant_id, status) WHERE email;

-- Where the customer of a ticket receives mail: the contact given on an email ticket when it is an
-- address, else the customer's first consented email contact; none for an erased customer.
CREATE FUNCTION kefu_email_recipient(p_tenant_id uuid, p_ticket_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
               CASE WHEN t.channel = 'email' AND t.contact ~ '^[^@[:space:]<>]+@[^@[:space:]<>]+$' THEN t.contact END,
               (SELECT c ->> 'value' FROM jsonb_array_elements(cu.contacts) WITH ORDINALITY AS e(c, n)
                WHERE c ->> 'kind' = 'email' AND (c ->> 'consent')::boolean ORDER BY n LIMIT 1))
    FROM tickets t JOIN customers cu ON cu.tenant_id = t.tenant_id AND cu.id = t.customer_id
    WHERE t.tenant_id = p_tenant_id AND t.id = p_ticket_id AND cu.erased_at IS NULL
$$;

CREATE FUNCTION kefu_outbox_email() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visibility = 'public' AND NEW.author_kind IN ('agent', 'system')
       AND (EXISTS (SELECT 1 FROM mail_relays r WHERE r.tenant_id = NEW.tenant_id) OR EXISTS (SELECT 1 FROM deployment_mail))
       AND kefu_email_recipient(NEW.tenant_id, NEW.ticket_id) IS NOT NULL THEN
        INSERT INTO deliveries (tenant_id, email, event_type, source_id, ticket_id, next_attempt_at, created_at)
        VALUES (NEW.tenant_id, true, 'email.message', NEW.id, NEW.ticket_id, NEW.created_at, NEW.created_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_messages_email_outbox AFTER INSERT ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION kefu_outbox_email();

-- Erasure: the sealed survey tokens of the customer's tickets go too (their bodies already do,
-- sql/034; a mail not yet sent finds no recipient and ends dead).
CREATE FUNCTION kefu_erase_customer_survey_links() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE surveys s SET token_sealed = NULL
    FROM tickets t
    WHERE t.tenant_id = NEW.tenant_id AND t.customer_id = NEW.id AND s.tenant_id = NEW.tenant_id AND s.ticket_id = t.id
      AND s.token_sealed IS NOT NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER customers_erase_survey_links AFTER UPDATE OF erased_at ON customers
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION kefu_erase_customer_survey_links();

-- As sql/035's claim, plus email: one lane per tenant (its relay), target kind `email`.
CREATE OR REPLACE FUNCTION kefu_claim_due_deliveries(p_now timestamptz, p_limit integer, p_per_target integer, p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, target_id uuid, target_kind text, event_type text, attempts integer, url text,
               secret text, previous_secret text, previous_secret_expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET jit = off
AS $$
    WITH due AS (
        SELECT d.tenant_id, d.id FROM (
            SELECT d.tenant_id, d.id, d.next_attempt_at,
                   row_number() OVER (PARTITION BY d.tenant_id, coalesce(d.webhook_id, d.robot_id, d.tenant_id) ORDER BY d.next_attempt_at, d.id) AS rank
            FROM deliveries d
            WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= kefu_worker_now(p_now)
              AND (d.claimed_until IS NULL OR d.claimed_until < kefu_worker_now(p_now))
              AND NOT EXISTS (
                  SELECT 1 FROM deliveries busy
                  WHERE busy.tenant_id = d.tenant_id
                    AND coalesce(busy.webhook_id, busy.robot_id, busy.tenant_id) = coalesce(d.webhook_id, d.robot_id, d.tenant_id)
                    AND busy.status IN ('pending', 'failed') AND busy.claimed_until >= kefu_worker_now(p_now))
        ) d
        WHERE d.rank <= least(greatest(p_per_target, 1), 10)
        ORDER BY d.next_attempt_at
        LIMIT least(greatest(p_limit, 0), 1000)
    ), leased AS (
        UPDATE deliveries d
        SET claimed_until = kefu_worker_now(p_now) + least(greatest(p_lease, interval '1 second'), interval '10 minutes')
        FROM (SELECT x.tenant_id, x.id FROM deliveries x JOIN due USING (tenant_id, id) FOR UPDATE OF x SKIP LOCKED) locked
        WHERE d.tenant_id = locked.tenant_id AND d.id = locked.id
        RETURNING d.tenant_id, d.id, d.webhook_id, d.robot_id, d.email, d.event_type, d.attempts, d.next_attempt_at
    )
    SELECT l.tenant_id, l.id, coalesce(l.webhook_id, l.robot_id, l.tenant_id),
           CASE WHEN l.email THEN 'email' ELSE coalesce(r.kind, 'webhook') END, l.event_type, l.attempts,
           coalesce(w.url, r.url, 'mailto:'), coalesce(w.secret, r.secret), w.previous_secret, w.previous_secret_expires_at
    FROM leased l
    LEFT JOIN webhooks w ON w.tenant_id = l.tenant_id AND w.id = l.webhook_id
    LEFT JOIN robots r ON r.tenant_id = l.tenant_id AND r.id = l.robot_id
    ORDER BY l.next_attempt_at
$$;
