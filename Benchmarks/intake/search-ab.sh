#!/usr/bin/env bash
# Ticket search only, against a cluster that is already loaded (no bulk load, no intake run): for
# comparing two builds or two schemas on the same data. Starts `kefu serve` with KEFU_BIN on the
# cluster of KEFU_HOME, measures GET /v1/tickets?… (the plain queue page and the searches of
# run.sh step 5) with wrk at 1 and 4 clients, prints p50/p99 per query, stops the server.
#   KEFU_HOME=/tmp/loaded KEFU_BIN=path/to/kefu Benchmarks/intake/search-ab.sh [TENANT_SLUG]
# Knobs: LIST_SECONDS (10), CLIENTS ("1 4"), SEARCHES (space-separated query strings).
# How the data got there (run.sh's bulk-*.sql, then migrations) is up to the caller.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
slug=${1:-bulk-big}
seconds=${LIST_SECONDS:-10}
clients=${CLIENTS:-"1 4"}
kefu=${KEFU_BIN:?KEFU_BIN: the kefu binary to serve with}
: "${KEFU_HOME:?KEFU_HOME: the loaded cluster}"
unset DATABASE_URL KEFU_APP_DATABASE_URL
owner_url=$("$kefu" db url)
app_url=$("$kefu" db url --app)
psql_at() { psql "$owner_url" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
its=$(psql_at -c "SELECT count(*) FROM tickets t JOIN tenants n ON n.id = t.tenant_id WHERE n.slug = '$slug'")
queries=${SEARCHES:-"status=assigned&limit=50 q=$(( its / 2 + 1 ))&limit=50 q=parcel&status=assigned&limit=50 q=parcel&limit=50 q=%E9%80%80%E6%AC%BE&limit=50"}
key=$("$kefu" key create --tenant "$slug" --agent agent1@bulk.kefu.local --name search-ab --json 2>/dev/null \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
DATABASE_URL=$owner_url KEFU_APP_DATABASE_URL=$app_url KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT=$port KEFU_DB_POOL_SIZE=16 \
    "$kefu" serve > "$KEFU_HOME/search-ab-serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 150); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
export KEFU_BENCH_LUA="$here"
printf '%-40s %8s %7s %9s %9s %9s  %s\n' query clients hits req/s p50_ms p99_ms load
for q in $queries; do
    hits=$(curl -fsS -H "Authorization: Bearer $key" "$base/v1/tickets?$q" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
    for _ in 1 2 3; do curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$base/v1/tickets?$q"; done   # warm
    for c in $clients; do
        out=$(wrk -c "$c" -t "$(( c < 2 ? c : 2 ))" -d "${seconds}s" --timeout 10s --latency -s "$here/list.lua" "$base/v1/tickets?$q" -- "$key")
        json=$(grep '^WRKJSON ' <<< "$out" | tail -n 1 | cut -d' ' -f2-)
        python3 - "$q" "$c" "$hits" "$json" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys
from urllib.parse import unquote
q, c, hits, s, load = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
errors = sum(v for k, v in s.items() if k.startswith("errors_"))
print(f"{unquote(q):40} {c:>8} {hits:>7} {s['requests'] * 1e6 / s['duration_us']:9.1f} {s['p50_us'] / 1000:9.2f} {s['p99_us'] / 1000:9.2f}  load {load}, errors {errors}")
PY
    done
done
