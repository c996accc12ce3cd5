-- 040 distributable by tenant_id (issue 16 §3). Two things in the schema could not be created on
-- Citus tables distributed by tenant_id (sql/citus/distribute.sql, docs/SCALING.md):
--
-- 1. A unique index without the distribution column: api_keys.key_hash was unique across all
--    tenants (sql/017). It becomes unique per tenant, with key_hash first so the key lookup by
--    hash (kefu_authenticate) still walks it. Across tenants a hash stays unique because the
--    key is 40 random base62 characters (~238 bits, APIKeyService.generateKey): two equal keys
--    are not a risk to guard with an index.
-- 2. ON DELETE SET NULL on a foreign key that includes the distribution column: Citus refuses it
--    even with PostgreSQL 15's column list (citusdata/citus#7132). These five keys become plain
--    (NO ACTION). Nothing deletes a referenced agent, department, ticket, training session or
--    scheduled event while rows still point at it: the roles that run Kefu cannot DELETE those
--    tables, and kefu_delete_tenant (sql/014) deletes every referencing table before the table it
--    references. So the SET NULL actions never fired; a delete that would have nulled a reference
--    now fails instead of losing it.

DROP INDEX api_keys_key_hash_key;
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash, tenant_id);

ALTER TABLE agent_complaints
    DROP CONSTRAINT agent_complaints_tenant_id_ticket_id_fkey,
    ADD CONSTRAINT agent_complaints_tenant_id_ticket_id_fkey
        FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id);
ALTER TABLE agents
    DROP CONSTRAINT agents_tenant_id_department_id_fkey,
    ADD CONSTRAINT agents_tenant_id_department_id_fkey
        FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id);
ALTER TABLE enrolments
    DROP CONSTRAINT enrolments_tenant_id_session_id_fkey,
    ADD CONSTRAINT enrolments_tenant_id_session_id_fkey
        FOREIGN KEY (tenant_id, session_id) REFERENCES training_sessions (tenant_id, id);
ALTER TABLE incidents
    DROP CONSTRAINT incidents_tenant_id_event_id_fkey,
    ADD CONSTRAINT incidents_tenant_id_event_id_fkey
        FOREIGN KEY (tenant_id, event_id) REFERENCES scheduled_events (tenant_id, id);
ALTER TABLE kb_articles
    DROP CONSTRAINT kb_articles_tenant_id_author_id_fkey,
    ADD CONSTRAINT kb_articles_tenant_id_author_id_fkey
        FOREIGN KEY (tenant_id, author_id) REFERENCES agents (tenant_id, id);
