-- Surge benchmark: per latency tenant, the crossing ticket's created_at and the incident.
-- Output rows: slug|ticket_created_epoch|incident_started_epoch|incidents|open|trigger/channel/live/normal|tickets ('-' for none)
SELECT t.slug,
       coalesce((SELECT extract(epoch FROM k.created_at) FROM tickets k WHERE k.tenant_id = t.id ORDER BY k.created_at DESC LIMIT 1)::text, '-') AS created,
       coalesce((SELECT extract(epoch FROM min(i.started_at)) FROM incidents i WHERE i.tenant_id = t.id)::text, '-') AS started,
       (SELECT count(*) FROM incidents i WHERE i.tenant_id = t.id) AS incidents,
       (SELECT count(*) FROM incidents i WHERE i.tenant_id = t.id AND i.ended_at IS NULL) AS open,
       coalesce((SELECT string_agg(i.trigger || '/' || i.channel || '/' || i.live_count || '/' || round(i.normal_count::numeric, 2), ',') FROM incidents i WHERE i.tenant_id = t.id), '-') AS detail,
       (SELECT count(*) FROM tickets k WHERE k.tenant_id = t.id) AS tickets
FROM tenants t WHERE t.slug LIKE 'sb-lat-%' ORDER BY t.slug;
