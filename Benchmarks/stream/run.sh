#!/usr/bin/env bash
# Live stream benchmark (issue 15 §6: "≥ 1,000 idle streams in a benchmark, memory per stream
# reported"). Builds kefu (release, scratch $BENCH_SCRATCH), starts a private durable cluster, one
# `kefu serve` and one tenant, then client.py opens STREAMS (1,000) idle SSE streams on that one
# process (the per-tenant and per-key limits raised for the run), reads the process's RSS before
# and after (÷ streams = memory per stream), and sends INTAKES (50) tickets one after the other
# through POST /v1/tickets: latency = from sending the POST to the ticket.created event having
# arrived on every stream (an upper bound of commit → all streams; the intake's own p50 is printed
# beside it). Prints figure | measured | target | ok/MISSED.
#
# Knobs: SB_STREAMS (1000), SB_INTAKES (50), SB_GAP (0.2 s between intakes), SB_KEEP_RESULTS=DIR,
# BENCH_SCRATCH (release scratch path), KEFU_BIN (a ready binary, as the smoke run uses).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
STREAMS=${SB_STREAMS:-1000}
INTAKES=${SB_INTAKES:-50}
GAP=${SB_GAP:-0.2}
log() { printf '[stream-bench %s] %s\n' "$(date +%T)" "$*" >&2; }

KEEP_RESULTS=${SB_KEEP_RESULTS:-}
BENCH_NAME=stream-bench
source "$root/Benchmarks/lib/private-cluster.sh"
ulimit -n "$(( STREAMS * 2 + 1024 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

"$kefu" tenant create --slug stream-bench --name "Stream bench" --json >"$results/tenant.json" 2>>"$results/cli.log"
key=$(jq -r .api_key "$results/tenant.json")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log "starting kefu serve on $base"
KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT=$port KEFU_STREAM_MAX_PER_TENANT=$(( STREAMS + 10 )) \
    KEFU_STREAM_MAX_PER_KEY=$(( STREAMS < 1000 ? 1000 : STREAMS )) "$kefu" serve >"$results/serve.log" 2>&1 &
serve=$!
pids+=("$serve")
for _ in $(seq 1 150); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$base/readyz" >/dev/null || { log "kefu serve not ready: $(tail -5 "$results/serve.log")"; exit 1; }

log "opening $STREAMS streams, then $INTAKES intakes $GAP s apart"
python3 "$here/client.py" "$base" "$key" "$serve" "$STREAMS" "$INTAKES" "$GAP" >"$results/stream.json"
cat "$results/stream.json" >&2
r() { jq -r ".$1" "$results/stream.json"; }
verdict() { awk -v m="$1" -v t="$2" 'BEGIN { print (m <= t) ? "ok" : "MISSED" }'; }
printf '%s | %s | %s | %s\n' \
    "figure" "measured" "target" "" \
    "idle streams on one process" "$(r streams)" ">= 1000" "$( (( $(r streams) >= 1000 )) && echo ok || echo MISSED)" \
    "RSS before / after (KiB)" "$(r rss_before_kb) / $(r rss_after_kb)" "" "" \
    "memory per stream (KiB)" "$(r kb_per_stream)" "reported" "" \
    "intake → event on all streams p50 (ms)" "$(r latency_p50_ms)" "" "" \
    "intake → event on all streams p99 (ms)" "$(r latency_p99_ms)" "<= 1000" "$(verdict "$(r latency_p99_ms)" 1000)" \
    "intake's own response p50 (ms)" "$(r intake_p50_ms)" "" ""
