#!/usr/bin/env bash
# What the intake rollup costs (issue #6: "Intake must stay within 10 % of its speed without the
# rollup"): real HTTP intake (wrk with Benchmarks/intake/intake.lua, as Benchmarks/intake/run.sh
# drives it) against two `kefu serve` processes on the same private durable cluster, one as
# shipped (minute and hour buckets written in the intake transaction) and one started with the
# benchmark-only switch KEFU_BENCH_SKIP_INTAKE_ROLLUP=1 (no rollup; it breaks surge detection).
# For each round and each client count (1, 4, 16) both servers get the same wrk run, the order
# alternating from round to round; the table shows the medians of tickets/s (wrk's completed
# requests / duration) side by side with their ratio.
# Every run is checked: tickets created = requests, and the rollup grew by exactly the tickets
# on the "with" side and not at all on the "without" side.
#
#   Benchmarks/surge/rollup-cost.sh        # ~9 min after the build
#
# Knobs: RC_SECONDS (8 s per run), RC_ROUNDS (9), RC_TENANTS (32, each with 3 on-duty agents),
# RC_POOL (16 connections per server), BENCH_SCRATCH (release scratch path, .build-bench-http),
# RC_KEEP=DIR (copy the raw outputs there). Exit status 0 when every ratio meets >= 0.90.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
intake="$root/Benchmarks/intake"
SECONDS_PER_RUN=${RC_SECONDS:-8}
ROUNDS=${RC_ROUNDS:-9}
TENANTS=${RC_TENANTS:-32}
POOL=${RC_POOL:-16}
CLIENTS=(1 4 16)

log() { printf '[rollup-cost %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
command -v jq >/dev/null || die "jq not found"

cd "$root"
KEEP_RESULTS=${RC_KEEP:-}
BENCH_NAME=surge-rollup-cost
source "$root/Benchmarks/lib/private-cluster.sh"
out=$results
durability=$(psql_at -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
                         WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")
[[ $durability == "fsync=on full_page_writes=on synchronous_commit=on" ]] || die "the cluster is not durable ($durability)"

log "creating $TENANTS tenants with 3 on-duty agents each (kefu CLI)"
: >"$out/keys.txt"
for t in $(seq -w 1 "$TENANTS"); do
    "$kefu" tenant create --slug "rc-$t" --name "Rollup cost $t" --json >"$out/tenant-$t.json" 2>>"$out/cli.log"
    jq -r .api_key "$out/tenant-$t.json" >>"$out/keys.txt"
    for a in 1 2 3; do
        "$kefu" agent add --tenant "rc-$t" --name "Agent $a" --email "agent$a@rc-$t.bench" --tier junior \
            --duty-status on_duty --json >/dev/null 2>>"$out/cli.log"
    done
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A base
start_server() {  # SIDE [ENV=VALUE]
    local side=$1 port; shift
    port=$(free_port)
    env "$@" DATABASE_URL="$owner_url" KEFU_APP_DATABASE_URL="$app_url" KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT="$port" \
        KEFU_DB_POOL_SIZE="$POOL" "$kefu" serve >"$out/serve-$side.log" 2>&1 &
    pids+=($!)
    base[$side]="http://127.0.0.1:$port"
    for _ in $(seq 1 150); do curl -fsS "${base[$side]}/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
    die "kefu serve ($side) not ready: $(tail -5 "$out/serve-$side.log")"
}
start_server with
start_server without KEFU_BENCH_SKIP_INTAKE_ROLLUP=1
log "servers: with rollup ${base[with]}, without ${base[without]} (pool $POOL each)"

# Chat around the clock, so no ticket gets the out-of-hours automatic reply (as intake/run.sh does).
while read -r key; do
    curl -fsS -X PATCH -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"settings": {"always_open_channels": ["chat"]}}' "${base[with]}/v1/settings" >/dev/null
done <"$out/keys.txt"

counts() { psql_at -F' ' -c "SELECT (SELECT count(*) FROM tickets), (SELECT coalesce(sum(count), 0) FROM intake_minutes),
                                    (SELECT coalesce(sum(count), 0) FROM intake_hours)"; }
export KEFU_BENCH_LUA="$intake"
run() {  # SIDE CLIENTS SECONDS -> appends "side clients tickets_per_s" to $out/runs.txt
    local side=$1 c=$2 secs=$3 t before after
    t=$(( c < 2 ? c : 2 ))
    read -r -a before < <(counts)
    WRK_THREADS=$t wrk -c "$c" -t "$t" -d "${secs}s" --timeout 10s -s "$intake/intake.lua" "${base[$side]}" -- "$out/keys.txt" \
        >"$out/wrk-$side-$c.out"
    sleep 0.5   # requests still in flight when wrk stopped commit now
    read -r -a after < <(counts)
    local json requests errors tickets minutes hours
    json=$(grep '^WRKJSON ' "$out/wrk-$side-$c.out" | cut -d' ' -f2-)
    requests=$(jq .requests <<<"$json")
    errors=$(jq '.errors_status + .errors_timeout + .errors_connect + .errors_read + .errors_write' <<<"$json")
    tickets=$(( after[0] - before[0] )); minutes=$(( after[1] - before[1] )); hours=$(( after[2] - before[2] ))
    (( errors == 0 )) || die "$side, $c clients: $errors failed requests (see $out/wrk-$side-$c.out)"
    (( tickets >= requests )) || die "$side, $c clients: $requests requests but $tickets tickets"
    if [[ $side == with ]]; then
        (( minutes == tickets && hours == tickets )) || die "with rollup: $tickets tickets but minutes +$minutes, hours +$hours"
    else
        (( minutes == 0 && hours == 0 )) || die "without rollup: the rollup grew (minutes +$minutes, hours +$hours)"
    fi
    awk -v s="$side" -v c="$c" -v n="$requests" -v us="$(jq .duration_us <<<"$json")" \
        'BEGIN { printf "%s %d %.1f\n", s, c, n / (us / 1e6) }' >>"$out/runs.txt"
}

log "warming up (3 s each side, 4 clients, not counted)"
: >"$out/runs.txt"
run with 4 3; run without 4 3
: >"$out/runs.txt"
for round in $(seq 1 "$ROUNDS"); do
    sides=(with without)
    (( round % 2 == 0 )) && sides=(without with)
    for c in "${CLIENTS[@]}"; do
        for side in "${sides[@]}"; do run "$side" "$c" "$SECONDS_PER_RUN"; done
    done
    log "round $round/$ROUNDS done (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done

echo
echo "Intake rollup cost $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, durable cluster, $TENANTS tenants, pool $POOL," \
     "$ROUNDS rounds x ${SECONDS_PER_RUN} s alternating; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| clients | with rollup tickets/s | without tickets/s | ratio | per-round ratios | target |"
echo "|---|---|---|---|---|---|"
status=0
for c in "${CLIENTS[@]}"; do
    median() { awk -v s="$1" -v c="$c" '$1 == s && $2 == c { print $3 }' "$out/runs.txt" | sort -n \
               | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    with=$(median with); without=$(median without)
    rounds=$(awk -v c="$c" '$2 == c { if ($1 == "with") w[++i] = $3; else o[++j] = $3 }
                            END { for (k = 1; k <= i; k++) printf "%s%.2f", (k > 1 ? " " : ""), w[k] / o[k] }' "$out/runs.txt")
    verdict=$(awk -v a="$with" -v b="$without" 'BEGIN { print (a >= 0.90 * b) ? "ok" : "MISSED" }')
    [[ $verdict == ok ]] || status=1
    printf '| %d | %.0f | %.0f | %.2f | %s | >= 0.90 %s |\n' "$c" "$with" "$without" \
        "$(awk -v a="$with" -v b="$without" 'BEGIN { print a / b }')" "$rounds" "$verdict"
done
exit "$status"
