-- 031 ticket search at scale (issue 14 §7): Chinese by character bigrams in the full-text
-- document, the documents stored, and a newest-first order for matching messages.
--
-- What 022 left slow on a tenant with 1 M tickets: a one- or two-character Chinese word (most
-- Chinese words) has no trigram, so pg_trgm could not use its index and every row of the tenant
-- was checked; and a common word had every match fetched and its tsvector recomputed to rank it.
--
-- Chinese: every run of CJK ideographs (U+3400–4DBF, U+4E00–9FFF, U+F900–FAFF) is indexed as its
-- overlapping two-character grams plus its last character alone ("申请退款" → 申请 请退 退款 款),
-- at consecutive positions, by the 'simple' configuration; the rest of the text as before, by
-- the 'english' configuration (stems). A query's Chinese run becomes the phrase of its bigrams
-- (退款申请 → 退款 <-> 款申 <-> 申请), a single character the prefix 退:* (which also finds it
-- as the last character of a run); so a Chinese substring of any length is one lookup in one GIN
-- index. Runs are separated by the lone last character, so a phrase never spans two runs.
--
-- The documents are stored (generated columns): the search ranks and filters candidates by the
-- stored tsvector instead of recomputing it per row, which is what lets it walk a tenant's
-- tickets (or messages) newest first and stop after a bounded number of matches. Adding them
-- rewrites both tables (ACCESS EXCLUSIVE for the duration; minutes for millions of rows).
-- Intake pays for the document once per ticket and per message, as it paid for the expression
-- index before; an UPDATE of a ticket recomputes its document (PostgreSQL recomputes stored
-- generated columns on every UPDATE). Substrings of other text (at least three characters, no
-- Chinese) use trigram indexes (022's on messages, new ones on subject and description).

-- The CJK grams of a text, space-separated, in order (empty when it has no CJK ideograph).
CREATE FUNCTION kefu_cjk_grams(p_text text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT coalesce(string_agg(substr(r.m[1], i, 2), ' ' ORDER BY r.n, i), '')
          FROM regexp_matches(p_text, '[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+', 'g') WITH ORDINALITY AS r(m, n),
               generate_series(1, length(r.m[1])) i $$;

-- The full-text document of one text: English stems of everything but CJK runs, then the CJK
-- grams. Text without CJK costs what to_tsvector('english', …) costs.
CREATE FUNCTION kefu_search_vector(p_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN p_text ~ '[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]'
                      THEN to_tsvector('english'::regconfig,
                                       regexp_replace(p_text, '[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+', ' ', 'g'))
                           || to_tsvector('simple'::regconfig, kefu_cjk_grams(p_text))
                      ELSE to_tsvector('english'::regconfig, p_text) END $$;

-- The query for a search text: websearch syntax over its non-CJK part (stems, "phrases", or,
-- -not), AND each CJK run as the phrase of its bigrams (one character: a prefix). Only CJK
-- ideographs reach to_tsquery, so the text cannot inject an operator.
CREATE FUNCTION kefu_search_query(p_text text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN c.phrases IS NULL THEN websearch_to_tsquery('english'::regconfig, p_text)
                      WHEN c.rest !~ '[[:alnum:]]' THEN to_tsquery('simple'::regconfig, c.phrases)
                      ELSE websearch_to_tsquery('english'::regconfig, c.rest) && to_tsquery('simple'::regconfig, c.phrases) END
          FROM (SELECT regexp_replace(p_text, '[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+', ' ', 'g') AS rest,
                       (SELECT string_agg(CASE WHEN length(r.m[1]) = 1 THEN r.m[1] || ':*'
                                               ELSE (SELECT string_agg(substr(r.m[1], i, 2), ' <-> ' ORDER BY i)
                                                     FROM generate_series(1, length(r.m[1]) - 1) i) END,
                                          ' & ' ORDER BY r.n)
                        FROM regexp_matches(p_text, '[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+', 'g')
                             WITH ORDINALITY AS r(m, n)) AS phrases) c $$;

-- The subject weighs more (A) than the description (B), as in 022.
ALTER TABLE tickets ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(kefu_search_vector(coalesce(subject, '')), 'A') || setweight(kefu_search_vector(description), 'B')) STORED;
ALTER TABLE ticket_messages ADD COLUMN search_document tsvector GENERATED ALWAYS AS (kefu_search_vector(body)) STORED;

-- 022's English-only expression indexes give way to the stored documents'.
DROP INDEX tickets_search_idx;
DROP INDEX ticket_messages_search_idx;
CREATE INDEX tickets_search_document_idx ON tickets USING gin (search_document);
CREATE INDEX ticket_messages_search_document_idx ON ticket_messages USING gin (search_document);
-- Substrings of a ticket: its subject and its description each get a trigram index, instead of
-- 022's one index over their concatenation (COALESCE(subject || ' ', '') || description): the
-- application reads tickets under row-level security, and PostgreSQL uses an index for a search
-- condition only when every function in it is leakproof; COALESCE and || are not, so 022's index
-- was never used for kefu_app (every substring search read the whole tenant). A substring can no
-- longer span the end of the subject and the start of the description.
DROP INDEX tickets_search_trgm_idx;
CREATE INDEX tickets_subject_trgm_idx ON tickets USING gin (subject gin_trgm_ops);
CREATE INDEX tickets_description_trgm_idx ON tickets USING gin (description gin_trgm_ops);

-- Leakproof search operators. Under row-level security the planner may evaluate a condition
-- before the tenant policy (as an index condition) only when its function is leakproof, so
-- without this `search_document @@ query` and `body ILIKE pattern` are checked row by row after
-- the policy, over the whole tenant: the GIN indexes are never used by kefu_app (measured: 4 s
-- instead of 2 ms for a ticket number in a 1 M-ticket tenant). ts_match_vq (tsvector @@ tsquery)
-- and texticlike (text ILIKE text) raise no error that depends on the row's value and return
-- only a boolean, which is what LEAKPROOF promises. Only a superuser may set it; a cluster whose
-- owner is not one gets a warning, correct results, and slow searches (docs/OPERATIONS.md).
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
        ALTER FUNCTION pg_catalog.texticlike(text, text) LEAKPROOF;
    ELSE
        RAISE WARNING 'not a superuser: ts_match_vq and texticlike stay not leakproof; ticket search cannot use its indexes under row-level security (docs/OPERATIONS.md)';
    END IF;
END
$$;

-- A tenant's messages newest first (seq is global and rising): where a search of a common word
-- in messages takes its bounded candidates from.
CREATE INDEX ticket_messages_newest_idx ON ticket_messages (tenant_id, seq);

-- The tenant export (002) lists every column; the stored documents are derived, not data.
CREATE OR REPLACE FUNCTION kefu_export_tenant(p_tenant_id uuid)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp
AS $$
DECLARE
    result jsonb;
    tbl    text;
    rows   jsonb;
BEGIN
    SELECT jsonb_build_object('tenant', to_jsonb(t)) INTO result FROM tenants t WHERE t.id = p_tenant_id;
    IF result IS NULL THEN
        RETURN NULL;
    END IF;
    FOR tbl IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name
    LOOP
        EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x) - ''key_hash'' - ''search_document''), ''[]'') FROM %I x WHERE tenant_id = $1', tbl)
            INTO rows USING p_tenant_id;
        result := result || jsonb_build_object(tbl, rows);
    END LOOP;
    RETURN result;
END
$$;
REVOKE ALL ON FUNCTION kefu_export_tenant(uuid) FROM PUBLIC;
