-- Distributes Kefu's tables on Citus: an operator's script, run once by the owner role on the
-- coordinator (psql -v ON_ERROR_STOP=1 -f sql/citus/distribute.sql), not a migration; `kefu
-- migrate` never reads sql/citus/. The steps around it (workers, settings, a pause in writes) are
-- in docs/SCALING.md.
--
-- Global tables (SchemaCatalog.globalTables in the tests):
--   tenants            a reference table, copied to every node: its slug is unique across tenants,
--                      every tenant table references it by tenant_id, and the key lookup reads it.
--   deployment_mail    a reference table too (sql/036): the deployment's relay as the worker
--                      announces it, one row or none, no tenant's data. The outbox trigger on
--                      ticket_messages (kefu_outbox_email) reads it on the node that holds the
--                      tenant's shard, so it must be on every node; it is written only at a
--                      worker's start (kefu_announce_deployment_mail, through the coordinator).
--   schema_migrations  stays a local table on the coordinator (only `kefu migrate` reads it).
-- Every other table is distributed by tenant_id, all in one colocation group (one tenant's rows
-- of every table on the same node), anchored on the first distributed table. Tables come after
-- every table they reference (Citus creates a table's foreign keys when it distributes it).
-- CitusDistributionTests fails when a table of the catalog has no line here, or a line is out
-- of that order.

SELECT create_reference_table('tenants');
SELECT create_reference_table('deployment_mail');

SELECT create_distributed_table('customers', 'tenant_id', colocate_with => 'none');
SELECT create_distributed_table('certificate_counters', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('courses', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('customer_templates', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('departments', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('inbound_email_tokens', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('inbound_emails', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('intake_hours', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('intake_minutes', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('mail_relays', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('record_timers', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('reply_scripts', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('report_daily', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('report_daily_tags', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('routing_rules', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('scheduled_events', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('sla_policies', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('surge_modes', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('tags', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_counters', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('training_plans', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('webhooks', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('agents', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('incidents', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('training_sessions', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('api_keys', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('customer_erasures', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('enrolments', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('event_agent_changes', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('incident_agent_changes', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('incident_reviews', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('kb_articles', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('notifications', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('problem_reports', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('tickets', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('agent_complaints', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('assessments', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('followups', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('kb_article_tickets', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('kb_article_versions', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('kb_article_votes', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('qa_reviews', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('surveys', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_assignments', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_events', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_messages', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_plans', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_sla_breaches', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_tags', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_teams', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_timers', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('certificates', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('channel_messages', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('robots', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('ticket_team_members', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('deliveries', 'tenant_id', colocate_with => 'customers');
SELECT create_distributed_table('delivery_attempts', 'tenant_id', colocate_with => 'customers');
