-- Soak: heap, index and total bytes and live rows of the ten largest tables (owner).
SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid), coalesce(s.n_live_tup, 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 12;
