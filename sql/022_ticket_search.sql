-- 022 ticket search: GET /v1/tickets?q=… finds tickets by subject, description and messages,
-- English by stems (full text, 'english' configuration) and Chinese (or any text) by substring
-- (pg_trgm trigrams; CJK characters count as letters under the cluster's C.UTF-8 locale).
--
-- Intake cost: expression indexes, no stored column. A new ticket adds one entry to each of the
-- two ticket indexes and each message one to each of the two message indexes; GIN's pending list
-- (fastupdate, on by default) batches them, so the insert itself stays cheap. The two functions
-- below are the one home of what is indexed: the search query calls the same functions, so the
-- planner matches them to the indexes.

-- The ticket's searchable text: the subject (if any), then the description.
CREATE FUNCTION kefu_ticket_text(p_subject text, p_description text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(p_subject || ' ', '') || p_description $$;

-- The ticket's full-text document: the subject weighs more (A) than the description (B).
CREATE FUNCTION kefu_ticket_document(p_subject text, p_description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector('english'::regconfig, coalesce(p_subject, '')), 'A')
                 || setweight(to_tsvector('english'::regconfig, p_description), 'B') $$;

CREATE INDEX tickets_search_idx ON tickets USING gin (kefu_ticket_document(subject, description));
CREATE INDEX tickets_search_trgm_idx ON tickets USING gin (kefu_ticket_text(subject, description) gin_trgm_ops);

-- Messages, public replies and internal notes alike (the caller is an agent, who sees both).
CREATE INDEX ticket_messages_search_idx ON ticket_messages USING gin (to_tsvector('english'::regconfig, body));
CREATE INDEX ticket_messages_search_trgm_idx ON ticket_messages USING gin (body gin_trgm_ops);
