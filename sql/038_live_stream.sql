-- 038 the live stream (issue 15 §6): `GET /v1/stream` sends a tenant's ticket events as they
-- commit, and resumes from a client's last event without gaps. `seq` alone cannot be the cursor:
-- it is taken at insert, and transactions commit in another order, so "after seq N" would skip an
-- event whose transaction commits after a later one's. Each event therefore records the id of
-- the transaction that wrote it (`xid`), and the stream orders events by (xid, seq) and sends only
-- those below the reading snapshot's xmin horizon (`pg_snapshot_xmin(pg_current_snapshot())`):
-- every transaction below it has ended, so no event can later appear before one already sent.
--
-- Events written before this migration keep xid 0: they sort first, by seq.
ALTER TABLE ticket_events ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE ticket_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX ticket_events_stream_idx ON ticket_events (tenant_id, xid, seq);

-- Wakes the API processes' stream listeners (`LISTEN kefu_stream`). The payload names the tenant
-- and the writing transaction, never data: the listener re-reads the event log, which stays the
-- source of truth (a lost notification only delays an event until the next heartbeat's re-read).
-- All events of one transaction and tenant share one payload, which PostgreSQL sends once.
CREATE FUNCTION kefu_stream_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kefu_stream', NEW.tenant_id::text || ' ' || NEW.xid::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_events_stream AFTER INSERT ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION kefu_stream_notify();
