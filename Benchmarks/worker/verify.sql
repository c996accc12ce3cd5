-- Worker benchmark: exactly-once checks over the chosen tickets, and the database's own
-- timestamps of the run (as name=value). A claim leases until claimed_until = claim time + 60 s.
SELECT
    (SELECT count(*) FROM wb_due) AS chosen,
    (SELECT count(*) FROM ticket_sla_breaches b JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE b.clock = 'first_response') AS breaches,
    (SELECT count(*) FROM ticket_events e JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE e.kind = 'sla_escalated') AS escalated_events,
    (SELECT count(*) FROM ticket_events e JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE e.kind = 'sla_breached') AS breached_events,
    (SELECT count(*) FROM notifications n JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE n.kind = 'sla_breach') AS notifications,
    -- One per on-duty supervisor of the ticket's tenant (every tenant here has one or more).
    (SELECT count(*) FROM wb_due d JOIN agents a
        ON a.tenant_id = d.tenant_id AND a.active AND a.role = 'supervisor' AND a.duty_status = 'on_duty') AS expected_notifications,
    (SELECT count(*) FROM (SELECT 1 FROM notifications n JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE n.kind = 'sla_breach' GROUP BY n.tenant_id, n.ticket_id, n.recipient_id HAVING count(*) > 1) x) AS duplicate_notifications,
    (SELECT count(*) FROM tickets t JOIN wb_due d ON t.tenant_id = d.tenant_id AND t.id = d.ticket_id
      WHERE t.breached) AS tickets_breached,
    (SELECT count(*) FROM ticket_timers tt JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE tt.kind = 'sla:first_response' AND tt.done_at IS NOT NULL) AS timers_done,
    (SELECT count(*) FROM ticket_timers tt JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE tt.kind = 'sla:first_response' AND tt.attempts > 1) AS timers_claimed_twice,
    (SELECT count(*) FROM ticket_timers WHERE last_error IS NOT NULL) AS timers_failed,
    (SELECT extract(epoch FROM min(tt.claimed_until) - interval '60 seconds') FROM ticket_timers tt JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE tt.kind = 'sla:first_response') AS first_claim_epoch,
    (SELECT extract(epoch FROM max(tt.done_at)) FROM ticket_timers tt JOIN wb_due d USING (tenant_id, ticket_id)
      WHERE tt.kind = 'sla:first_response') AS last_done_epoch;
