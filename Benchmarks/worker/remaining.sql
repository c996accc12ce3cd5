SELECT count(*) FROM ticket_timers WHERE done_at IS NULL AND due_at <= now();
