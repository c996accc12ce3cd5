-- Soak, at the end (as the owner): does autovacuum keep up? Dead rows against live rows and the
-- autovacuum/autoanalyze runs of the tables the soak writes to (partitions summed into their
-- partitioned table).
SELECT coalesce(p.relname, c.relname) AS rel, sum(s.n_live_tup), sum(s.n_dead_tup),
       sum(s.autovacuum_count), sum(s.autoanalyze_count),
       coalesce(to_char(max(s.last_autovacuum), 'HH24:MI:SS'), '-')
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
LEFT JOIN pg_class p ON p.oid = i.inhparent
GROUP BY 1
HAVING sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del) > 0
ORDER BY sum(s.n_live_tup) DESC LIMIT 14;
