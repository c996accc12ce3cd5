#!/usr/bin/env bash
# Capacity benchmark (issue 16 §4): what one intake and one whole ticket life cost, measured, and
# what that means for 10,000 tenants, 100 M tickets and a peak of 2,000 intakes/s.
#
#   Benchmarks/capacity/run.sh
#
# Builds kefu (release; Benchmarks/lib/private-cluster.sh), starts a private durable cluster,
# `kefu serve` and one `kefu worker`, a tenant with an agent and a gateway key. After a warm-up,
# two phases, each between two snapshots (snapshot.sql: rows inserted/updated/deleted and heap +
# index bytes per table, the WAL position; cpu.py: CPU of kefu serve and of PostgreSQL):
#   intake: CAP_INTAKES (2,000) tickets through POST /v1/tickets with CAP_CLIENTS (8) clients;
#   life:   CAP_LIVES (300) whole lives: intake, reply, request-info, the customer's answer,
#           resolve, the survey answer, close (life.py).
# Prints per intake and per life: rows written per table, bytes (heap + indexes) and WAL, CPU of
# PostgreSQL and of Kefu, HTTP requests; then the projection (report.py). Archiving happens weeks
# later by the worker and is not in the life.
#
# Knobs: CAP_INTAKES, CAP_LIVES, CAP_CLIENTS, CAP_WORKERS (1; 0 leaves out the worker, whose
# wake-up after every committed intake is part of the PostgreSQL CPU per intake), CAP_KEEP_RESULTS=DIR,
# BENCH_SCRATCH, SKIP_BUILD, KEFU_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
INTAKES=${CAP_INTAKES:-2000}
LIVES=${CAP_LIVES:-300}
CLIENTS=${CAP_CLIENTS:-8}
WORKERS=${CAP_WORKERS:-1}

log() { printf '[capacity-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
KEEP_RESULTS=${CAP_KEEP_RESULTS:-}
BENCH_NAME=capacity-bench
source "$root/Benchmarks/lib/private-cluster.sh"

start_api_and_workers "$WORKERS"
export BASE_URL=$base

ADMIN_KEY=$("$kefu" tenant create --slug cap --name "Capacity" --json 2>>"$results/cli.log" | jq -r .api_key)
"$kefu" agent add --tenant cap --name "Ann Agent" --email ann@cap.test --tier mid --json >/dev/null 2>>"$results/cli.log"
"$kefu" agent add --tenant cap --name "Gateway" --email gw@cap.test --role integration --duty-status away --json >/dev/null 2>>"$results/cli.log"
AGENT_KEY=$("$kefu" key create --tenant cap --agent ann@cap.test --name bench --json 2>>"$results/cli.log" | jq -r .api_key)
GATEWAY_KEY=$("$kefu" key create --tenant cap --agent gw@cap.test --name gateway --json 2>>"$results/cli.log" | jq -r .api_key)
export ADMIN_KEY AGENT_KEY GATEWAY_KEY
# Thousands of intakes in a minute are a surge by the detector's defaults, and contingency mode
# takes tickets in another way: the normal path is what is measured here.
curl -fsS -X PATCH -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d '{"settings": {"surge": {"minimum_volume": 100000}}}' "$base/v1/settings" >/dev/null
# The admin takes tickets in; the one agent on duty owns them all (and answers them).
log "warming up"
python3 "$here/life.py" life 30 4 >/dev/null

pgdata="$KEFU_HOME/pgdata"
snapshot() {   # NAME
    psql_at -F'|' -f "$here/snapshot.sql" >"$results/$1.tables"
    python3 "$root/Benchmarks/intake/cpu.py" "$serve_pid" "$pgdata" >"$results/$1.cpu"
}
phase() {   # NAME MODE COUNT
    # Backends report their row counts to pg_stat_user_tables within 10 s of going idle
    # (PGSTAT_IDLE_INTERVAL): wait that out before each snapshot.
    sleep 11
    snapshot "$1-before"
    log "$1: $3 × $2 with $CLIENTS clients"
    python3 "$here/life.py" "$2" "$3" "$CLIENTS" >"$results/$1.client"
    sleep 11   # the worker's timers that follow the requests, and the statistics
    snapshot "$1-after"
}
phase intake intake "$INTAKES"
phase life life "$LIVES"
tickets=$(psql_at -c "SELECT count(*) FROM tickets")
echo
echo "Capacity benchmark $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, durable cluster, $tickets tickets at the end; load average before: $load_before, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/report.py" "$results" "$INTAKES" "$LIVES" "$(getconf CLK_TCK)"
