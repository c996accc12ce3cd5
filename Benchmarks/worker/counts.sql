-- Worker benchmark: totals the escalations add to (before/after snapshots), as name=value; and
-- the WAL written so far (records, full-page images, bytes: pg_stat_wal, cluster-wide).
SELECT (SELECT count(*) FROM ticket_sla_breaches) AS breaches,
       (SELECT count(*) FROM notifications WHERE kind = 'sla_breach') AS notifications,
       (SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated') AS escalated_events,
       (SELECT count(*) FROM ticket_events WHERE kind = 'sla_breached') AS breached_events,
       (SELECT wal_records FROM pg_stat_wal) AS wal_records,
       (SELECT wal_fpi FROM pg_stat_wal) AS wal_fpi,
       (SELECT wal_bytes FROM pg_stat_wal) AS wal_bytes;
