-- One snapshot for the capacity benchmark: per table, rows inserted/updated/deleted so far and the
-- heap + index + TOAST bytes now; and the WAL position. Read with psql -A -t -F'|'.
SELECT 'table', relname, n_tup_ins, n_tup_upd + n_tup_hot_upd * 0, n_tup_del,
       pg_table_size(relid), pg_indexes_size(relid)
FROM pg_stat_user_tables
UNION ALL
SELECT 'wal', pg_current_wal_lsn()::text, 0, 0, 0, 0, 0;
