-- Worker benchmark: totals the escalations add to (before/after snapshots), as name=value.
SELECT (SELECT count(*) FROM ticket_sla_breaches) AS breaches,
       (SELECT count(*) FROM notifications WHERE kind = 'sla_breach') AS notifications,
       (SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated') AS escalated_events,
       (SELECT count(*) FROM ticket_events WHERE kind = 'sla_breached') AS breached_events;
