SELECT * FROM kefu_claim_due_timers(now(), 200, '60 seconds');
