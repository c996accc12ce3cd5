SELECT wb_escalate_batch(200);
