#!/usr/bin/env bash
# What a NOTIFY costs the writers of ticket events (docs/BENCHMARKS.md "Live stream"). PostgreSQL
# serialises the commits of transactions that sent a notification, so where the stream's NOTIFY
# is sent decides how far writers scale. pgbench, on a private durable cluster (fsync and
# synchronous_commit on), inserts ticket-event-shaped rows (16 tenants, with sql/038's xid column
# and stream index) from NC_CLIENTS (16) clients for NC_SECONDS (10) per run, NC_ROUNDS (2) rounds:
#   none      no notification at all (the reference)
#   trigger   the first draft of sql/038: an AFTER INSERT trigger calling pg_notify in every
#             writing transaction
#   app       what Kefu does: writers send nothing; one more connection sends
#             `SELECT pg_notify('kefu_stream', '<tenant>')` on its own at NC_NOTIFY_RATE (320/s:
#             16 tenants each announced at most every 50 ms, StreamAnnouncer's bound)
# Prints rows/s per run. Needs pgbench and the PostgreSQL 15 binaries; runs as root (the cluster
# as postgres). No Kefu build needed.
set -euo pipefail

CLIENTS=${NC_CLIENTS:-16}
SECONDS_PER_RUN=${NC_SECONDS:-10}
ROUNDS=${NC_ROUNDS:-2}
RATE=${NC_NOTIFY_RATE:-320}
bin=/usr/lib/postgresql/15/bin
log() { printf '[notify-cost %s] %s\n' "$(date +%T)" "$*" >&2; }

dir=$(mktemp -d /tmp/kefu-notify-cost.XXXXXX)
chmod 755 "$dir"
chown postgres "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses='' -c max_connections=100 -c shared_buffers=256MB" start >/dev/null
psql_run() { PGOPTIONS="-c client_min_messages=warning" as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
bench() { as_pg "$bin/pgbench" -n -h "$dir" -p "$port" -U postgres "$@"; }

psql_run -d postgres <<'SQL'
CREATE TABLE events (
    tenant_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    seq bigserial NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    actor_kind text NOT NULL,
    kind text NOT NULL,
    after jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_ticket_idx ON events (tenant_id, ticket_id, seq);
CREATE INDEX events_stream_idx ON events (tenant_id, xid, seq);
CREATE FUNCTION stream_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kefu_stream', NEW.tenant_id::text || ' ' || NEW.xid::text);
    RETURN NULL;
END
$$;
SQL
cat >"$dir/insert.sql" <<'SQL'
\set t random(1, 16)
INSERT INTO events (tenant_id, ticket_id, actor_kind, kind, after)
VALUES (md5(:t::text)::uuid, gen_random_uuid(), 'agent', 'assigned', '{"owner_id": "5f0c0a9e-2a4b-4d1e-9b1c-000000000000"}');
SQL
cat >"$dir/notify.sql" <<'SQL'
\set t random(1, 16)
SELECT pg_notify('kefu_stream', md5(:t::text)::uuid::text);
SQL
chmod 644 "$dir"/*.sql

run() {
    local label=$1 out tps
    out=$(bench -c "$CLIENTS" -j "$(( CLIENTS < 4 ? CLIENTS : 4 ))" -T "$SECONDS_PER_RUN" -f "$dir/insert.sql" postgres 2>&1)
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -1)
    printf '%-8s %3d clients  %8.0f rows/s\n' "$label" "$CLIENTS" "$tps"
}

log "cluster on port $port; $CLIENTS clients, $SECONDS_PER_RUN s per run, $ROUNDS rounds (load $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq 1 "$ROUNDS"); do
    psql_run -d postgres -c 'DROP TRIGGER IF EXISTS events_stream ON events'
    run none
    psql_run -d postgres -c 'CREATE TRIGGER events_stream AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION stream_notify()'
    run trigger
    psql_run -d postgres -c 'DROP TRIGGER events_stream ON events'
    bench -c 1 -R "$RATE" -T "$(( SECONDS_PER_RUN + 2 ))" -f "$dir/notify.sql" postgres >"$dir/notifier.out" 2>&1 &
    notifier=$!
    sleep 1
    run app
    wait "$notifier" || true
    sent=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/notifier.out")
    log "round $round: the app-side notifier sent ${sent:-?} notifications"
done
