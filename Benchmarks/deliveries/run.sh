#!/usr/bin/env bash
# Delivery benchmark (issue 15: "a ticket created through the API produces a signed webhook at a
# local receiver within 1 s, p99"):
#
#   Benchmarks/deliveries/run.sh
#
# Builds kefu (release; see Benchmarks/lib/private-cluster.sh), starts a private durable cluster,
# `kefu serve` and 2 `kefu worker` (KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1), and two receivers on
# loopback (.ci/lib/webhook-receiver.py): a fast one (answers at once) for tenant A and a slow one
# (holds every answer DB_SLOW_HOLD s, default 5) for tenant B. Both tenants subscribe to
# ticket.created; each posts DB_RATE tickets/s (default 10) for DB_SECONDS (default 30) through
# POST /v1/tickets. Latency = the receiver's arrival time - the client's clock after the 201
# (the commit came before it). The reference, in the same run: a direct POST from the driver to
# the fast receiver. Tenant B's slow receiver must not slow tenant A's deliveries.
# Prints figure | measured | target | ok/MISSED.
#
# Knobs: DB_RATE, DB_SECONDS, DB_SLOW_HOLD, DB_KEEP_RESULTS=DIR, BENCH_SCRATCH, SKIP_BUILD, KEFU_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
RATE=${DB_RATE:-10}
SECONDS_RUN=${DB_SECONDS:-30}
HOLD=${DB_SLOW_HOLD:-5}

log() { printf '[delivery-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
stats() { sort -n | awk -f "$root/Benchmarks/worker/stats.awk"; }   # n min p50 p99 max mean
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

KEEP_RESULTS=${DB_KEEP_RESULTS:-}
BENCH_NAME=delivery-bench
source "$root/Benchmarks/lib/private-cluster.sh"

fast_port=$(free_port)
slow_port=$(free_port)
python3 "$root/.ci/lib/webhook-receiver.py" "$fast_port" "$results/fast.jsonl" 0 &
pids+=($!)
python3 "$root/.ci/lib/webhook-receiver.py" "$slow_port" "$results/slow.jsonl" "$HOLD" &
pids+=($!)
export KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1
start_api_and_workers 2

keys=()
for tenant in fast:$fast_port slow:$slow_port; do
    slug=db-${tenant%%:*}
    key=$("$kefu" tenant create --slug "$slug" --name "Delivery $slug" --json 2>>"$results/cli.log" | jq -r .api_key)
    curl -fsS -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d "{\"url\": \"http://127.0.0.1:${tenant#*:}/hook\", \"events\": [\"ticket.created\"]}" "$base/v1/webhooks" >/dev/null
    keys+=("$slug=$key")
done
sleep 1

log "posting $RATE tickets/s per tenant for $SECONDS_RUN s (tenant db-slow's receiver holds each answer $HOLD s)"
BASE_URL=$base REFERENCE_URL="http://127.0.0.1:$fast_port/reference" \
    python3 "$here/drive.py" "$RATE" "$SECONDS_RUN" "${keys[@]}" >"$results/client.txt"
sleep 3   # the last deliveries
python3 - "$results" <<'PY' >"$results/joined.txt"
import json, sys
results = sys.argv[1]
arrived = {}
for line in open(f"{results}/fast.jsonl"):
    record = json.loads(line)
    if record["event"] == "ticket.created" and record["ticket"]:
        arrived.setdefault(record["ticket"].upper(), record["at"])
for line in open(f"{results}/client.txt"):
    slug, ticket, value = line.split()
    if slug == "db-fast":
        at = arrived.get(ticket.upper())
        print(f"latency {(at - float(value)) * 1000:.1f}" if at else "missing -")
    elif slug == "reference":
        print(f"reference {float(value) * 1000:.1f}")
PY
grep '^latency' "$results/joined.txt" | awk '{ print $2 }' >"$results/latency.txt"
grep '^reference' "$results/joined.txt" | awk '{ print $2 }' >"$results/reference.txt"
missing=$(grep -c '^missing' "$results/joined.txt" || true)
read -r n _ p50 p99 max _ < <(stats <"$results/latency.txt")
read -r _ _ ref_p50 ref_p99 _ _ < <(stats <"$results/reference.txt")
slow_sent=$(grep -c . "$results/slow.jsonl" || true)
slow_posted=$(grep -c '^db-slow' "$results/client.txt" || true)

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'; }
{
    printf 'intake 201 -> signed webhook at the receiver, p50 (%s tickets, tenant A)\t%s ms\t-\t-\n' "$n" "$p50"
    printf 'intake 201 -> signed webhook at the receiver, p99\t%s ms\t<= 1000 ms\t%s\n' "$p99" "$(verdict "$p99" 1000)"
    printf 'intake 201 -> signed webhook at the receiver, max\t%s ms\t-\t-\n' "$max"
    printf '  reference: a direct POST to the same receiver, p50 / p99\t%s / %s ms\t-\t-\n' "$ref_p50" "$ref_p99"
    printf 'tenant A deliveries missing after the run\t%s\t0\t%s\n' "$missing" "$([[ $missing == 0 ]] && echo ok || echo MISSED)"
    printf '  meanwhile tenant B (receiver holding %s s): tickets / requests received\t%s / %s\t-\t-\n' "$HOLD" "$slow_posted" "$slow_sent"
} >"$results/table.tsv"
echo
echo "Delivery benchmark $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, durable cluster, $RATE tickets/s per tenant for $SECONDS_RUN s; load average before: $load_before, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -f "$root/Benchmarks/worker/report.awk" "$results/table.tsv"
