#!/usr/bin/env bash
# Soak (issue 16 §5): the API and two workers under a mixed load for SOAK_MINUTES on a database
# bulk-loaded with SOAK_TICKETS tickets over SOAK_TENANTS tenants.
#
#   Benchmarks/soak/run.sh
#
# Builds kefu (release; Benchmarks/lib/private-cluster.sh), starts a private durable cluster and
# bulk-loads it with the intake benchmark's SQL (Benchmarks/intake/bulk-*.sql, SOAK_TICKETS /
# SOAK_TENANTS tickets per tenant, one set-based INSERT, the tickets indexes that back no constraint
# built after it by defer-indexes.sql; the load time is reported) and gives every
# open ticket two future SLA timers (timers.sql). Then
# `kefu serve`, two `kefu worker` (KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1) and a webhook receiver
# on loopback (.ci/lib/webhook-receiver.py); SOAK_LIVE_TENANTS (4) new tenants with an admin, an
# agent on duty and a gateway key, each subscribed to ticket.created at the receiver, plus one surge
# tenant and read keys in two bulk tenants. drive.py runs SOAK_CLIENTS (6) clients for
# SOAK_MINUTES, each picking: a whole ticket life (intake, reply, request-info, the customer's
# answer, resolve, survey answer, close) 40 %, a lone intake 20 %, a queue page
# (GET /v1/tickets?status=…) in a live tenant 20 % or in a bulk tenant 20 %; halfway through the
# measured part, SOAK_SURGE_TICKETS (80) chat intakes in 50 s in the surge tenant (above the
# detector's minimum volume of 20 in 15 minutes). Every request's latency and status is recorded.
# Before the load, a growth probe (growth.py; issue 16 §4: the costs must follow the work, not the
# table size): queue pages and weekly reports in the bulk tenants, one client, p50/p99, and five
# `kefu worker --once` sweeps with nothing due. sample.py reads, every 10 s: VmRSS of kefu serve
# and each worker, PSS of PostgreSQL (summed over its processes), pg_stat_activity client connections by role/state, failed timers (what
# `kefu timers --failed` lists) and dead deliveries. sizes.sql: the largest tables before/after;
# autovacuum.sql: live/dead rows and autovacuum runs at the end.
# report.py prints per-minute p50/p99/errors, RSS over time, connections, table sizes and
# figure | measured | target | ok/MISSED (RSS growth of each kefu process from the end of the
# warm-up to the end <= 5 %, errors 0, failed timers 0, dead deliveries 0); exit 1 on a miss.
#
# Knobs: SOAK_MINUTES (30), SOAK_WARMUP_MINUTES (5), SOAK_TENANTS (10000), SOAK_TICKETS (10000000),
# SOAK_CLIENTS (6), SOAK_LIVE_TENANTS (4), SOAK_SURGE_TICKETS (80), SOAK_PROBE_QUEUES (400),
# SOAK_PROBE_REPORTS (100), SOAK_RSS_LIMIT (5: the RSS growth target in %; the smoke run, with no
# real warm-up, sets it high), SOAK_KEEP_RESULTS=DIR,
# BENCH_SCRATCH, SKIP_BUILD, KEFU_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
MINUTES=${SOAK_MINUTES:-30}
WARMUP=${SOAK_WARMUP_MINUTES:-5}
TENANTS=${SOAK_TENANTS:-10000}
TICKETS=${SOAK_TICKETS:-10000000}
export SOAK_CLIENTS=${SOAK_CLIENTS:-6}
LIVE=${SOAK_LIVE_TENANTS:-4}
export SURGE_TICKETS=${SOAK_SURGE_TICKETS:-80}
(( WARMUP < MINUTES )) || { echo "SOAK_WARMUP_MINUTES must be below SOAK_MINUTES" >&2; exit 2; }
per_tenant=$(( TICKETS / TENANTS ))
(( per_tenant >= 1 )) || { echo "SOAK_TICKETS must be at least SOAK_TENANTS" >&2; exit 2; }

log() { printf '[soak %s] %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
KEEP_RESULTS=${SOAK_KEEP_RESULTS:-}
BENCH_NAME=soak
source "$root/Benchmarks/lib/private-cluster.sh"
cli() { "$kefu" "$@" 2>>"$results/cli.log"; }
: >"$results/extra.txt"
extra() { printf '%s\t%s\n' "$1" "$2" >>"$results/extra.txt"; }

# --- 1. bulk load ---------------------------------------------------------------------------------
# bulk-setup.sql pads tenant numbers to 4 digits; 10,000 tenants need 5.
log "bulk-loading $TENANTS tenants × $per_tenant tickets"
load_start=$(date +%s.%N)
sed 's/lpad(i::text, 4,/lpad(i::text, 5,/' "$root/Benchmarks/intake/bulk-setup.sql" >"$results/bulk-setup.sql"
psql_owner -v small_tenants="$TENANTS" -v big_tickets=0 -f "$results/bulk-setup.sql"
psql_owner -v step=drop -f "$here/defer-indexes.sql"
psql_owner -v which=small -v small_tenants="$TENANTS" -v small_tickets="$per_tenant" -v big_tickets=0 \
    -f "$root/Benchmarks/intake/bulk-tickets.sql"
psql_owner -v step=create -f "$here/defer-indexes.sql"
psql_owner -f "$root/Benchmarks/intake/bulk-finish.sql" 2>&1 | grep -v '^$' >&2 || true
psql_owner -f "$here/timers.sql"
load_s=$(echo "$(date +%s.%N) - $load_start" | bc)
loaded=$(psql_at -c "SELECT count(*) FROM tickets")
log "loaded $loaded tickets in ${load_s} s"
extra "bulk load: tickets / time" "$loaded / $(printf '%.0f' "$load_s") s ($(printf '%.0f' "$(echo "$loaded / $load_s" | bc)") tickets/s)"

# --- 2. API, workers, receiver, tenants -----------------------------------------------------------
export KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1
start_api_and_workers 2
serve_pid=${pids[0]}
worker_pids=("${pids[1]}" "${pids[2]}")
receiver_port=$(free_port)
python3 "$root/.ci/lib/webhook-receiver.py" "$receiver_port" "$results/hooks.jsonl" 0 &
pids+=($!)
export BASE_URL=$base TENANTS_FILE="$results/tenants.txt"
: >"$TENANTS_FILE"
new_tenant() {   # KIND SLUG
    local admin agent gateway
    admin=$(cli tenant create --slug "$2" --name "Soak $2" --json | jq -r .api_key)
    cli agent add --tenant "$2" --name "Ann Agent" --email "ann@$2.test" --tier mid --json >/dev/null
    cli agent add --tenant "$2" --name "Gateway" --email "gw@$2.test" --role integration --duty-status away --json >/dev/null
    agent=$(cli key create --tenant "$2" --agent "ann@$2.test" --name soak --json | jq -r .api_key)
    gateway=$(cli key create --tenant "$2" --agent "gw@$2.test" --name gateway --json | jq -r .api_key)
    curl -fsS -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
        -d "{\"url\": \"http://127.0.0.1:$receiver_port/hook\", \"events\": [\"ticket.created\"]}" "$base/v1/webhooks" >/dev/null
    echo "$1 $2 $admin $agent $gateway" >>"$TENANTS_FILE"
}
log "creating $LIVE live tenants, a surge tenant and keys in two bulk tenants"
for i in $(seq 1 "$LIVE"); do new_tenant live "soak-$i"; done
new_tenant surge soak-surge
# Only the surge tenant may surge: the live tenants' steady intake (hundreds in 15 minutes, no
# history) would cross the default minimum volume of 20, so their minimum volume is raised.
psql_owner -c "UPDATE tenants SET settings = jsonb_set(settings, '{surge}', coalesce(settings->'surge', '{}') || '{\"minimum_volume\": 100000}') WHERE slug LIKE 'soak-%' AND slug <> 'soak-surge'"
for i in 1 $(( TENANTS / 2 + 1 )); do
    slug=$(printf 'bulk-%05d' "$i")
    key=$(cli key create --tenant "$slug" --agent agent1@bulk.kefu.local --name soak --json | jq -r .api_key)
    echo "bulk $slug $key $key $key" >>"$TENANTS_FILE"
done

# --- 3. growth probe: work that must not grow with the table ------------------------------------
log "growth probe: queue pages, weekly reports, worker sweeps with nothing due"
python3 "$here/growth.py" "${SOAK_PROBE_QUEUES:-400}" "${SOAK_PROBE_REPORTS:-100}" >>"$results/extra.txt"
: >"$results/sweep-ms.txt"
for i in 1 2 3 4 5; do
    start=$(date +%s%N)
    cli worker --once --json >"$results/sweep-$i.json"
    echo $(( ($(date +%s%N) - start) / 1000000 )) >>"$results/sweep-ms.txt"
done
extra "growth probe: kefu worker --once with nothing due (whole process), min / max of 5" \
    "$(sort -n "$results/sweep-ms.txt" | head -1) / $(sort -n "$results/sweep-ms.txt" | tail -1) ms; pending timers $(psql_at -c "SELECT count(*) FROM ticket_timers WHERE done_at IS NULL")"

# --- 4. the soak ----------------------------------------------------------------------------------
psql_at -F'|' -f "$here/sizes.sql" >"$results/sizes-before.txt"
sample_args=("serve=$serve_pid")
for w in 1 2; do sample_args+=("worker-$w=${worker_pids[$((w - 1))]}"); done
OWNER_URL=$owner_url python3 "$here/sample.py" 10 "$KEFU_HOME/pgdata/postmaster.pid" "${sample_args[@]}" >"$results/samples.jsonl" &
sampler=$!
pids+=($sampler)
seconds=$(( MINUTES * 60 ))
surge_at=$(( WARMUP * 60 + (seconds - WARMUP * 60) / 2 ))
log "driving for $MINUTES min ($WARMUP min warm-up) with $SOAK_CLIENTS clients; surge at ${surge_at} s"
python3 "$here/drive.py" "$seconds" "$surge_at" >"$results/requests.txt" 2>"$results/drive.log"
sleep 10   # the last timers and deliveries, one more sample
stop_pid "$sampler"
psql_at -F'|' -f "$here/sizes.sql" >"$results/sizes-after.txt"

incidents=$(psql_at -c "SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id WHERE t.slug = 'soak-surge'")
extra "incidents in the surge tenant (others)" "$incidents ($(psql_at -c "SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id WHERE t.slug <> 'soak-surge'"))"
created=$(psql_at -c "SELECT count(*) FROM tickets k JOIN tenants t ON t.id = k.tenant_id WHERE t.slug LIKE 'soak-%'")
hooks=$(python3 -c 'import json, sys; print(len({json.loads(l)["ticket"] for l in open(sys.argv[1]) if json.loads(l)["event"] == "ticket.created"}))' "$results/hooks.jsonl" 2>/dev/null || echo 0)
extra "tickets created in the soak tenants / ticket.created webhooks received" "$created / $hooks"
extra "errors logged by kefu serve / workers" "$(grep -ciE '"level":"(error|critical)"|\berror\b' "$results/serve.log" || true) / $(cat "$results"/worker-*.log | grep -ciE '"level":"(error|critical)"|\berror\b' || true)"

echo
echo "Autovacuum at the end (table | live rows | dead rows | autovacuum runs | autoanalyze runs | last autovacuum):"
psql_at -F' | ' -f "$here/autovacuum.sql"
echo "Soak $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, durable cluster, $MINUTES min ($WARMUP min warm-up), $SOAK_CLIENTS clients, $TENANTS bulk tenants; load average before: $load_before, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/report.py" "$results" "$(( WARMUP * 60 ))" "$seconds"
