-- Soak, around the bulk load (as the owner): building an index once over 10 M rows is many times
-- cheaper than keeping it up row by row, above all the GIN indexes of ticket search (a trigram
-- per three characters of every description). Run with -v step=drop before the load: the
-- definitions of the tickets indexes that back no constraint are kept in soak_deferred_indexes
-- and the indexes dropped. Run with -v step=create after it: they are built again, the same
-- definitions, and the table goes. Constraints (primary key, unique keys), foreign keys and
-- triggers stay in place throughout, so every loaded row is checked as the API's would be.
\set ON_ERROR_STOP on
SELECT :'step' = 'drop' AS dropping \gset
\if :dropping
CREATE TABLE soak_deferred_indexes AS
SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'tickets'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
SELECT format('DROP INDEX %I', name) FROM soak_deferred_indexes \gexec
\else
SET maintenance_work_mem = '1GB';
SELECT definition FROM soak_deferred_indexes \gexec
DROP TABLE soak_deferred_indexes;
\endif
