-- Soak: heap, index and total bytes and live rows of the twelve largest tables (owner); a
-- partitioned table counts its partitions.
WITH rel AS (
    SELECT coalesce(p.oid, c.oid) AS oid, c.oid AS part
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class p ON p.oid = i.inhparent
    WHERE c.relkind = 'r' AND n.nspname = 'public'
)
SELECT r.oid::regclass, sum(pg_relation_size(r.part)), sum(pg_indexes_size(r.part)),
       sum(pg_total_relation_size(r.part)), sum(coalesce(s.n_live_tup, 0))
FROM rel r LEFT JOIN pg_stat_user_tables s ON s.relid = r.part
GROUP BY r.oid
ORDER BY 4 DESC LIMIT 12;
