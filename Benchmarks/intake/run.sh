#!/usr/bin/env bash
# HTTP intake, queue-listing and ticket-search benchmark, printed side by side with its references.
# See "Intake and queue listing (and ticket search)" in Benchmarks/README.md.
#
#   Benchmarks/intake/run.sh              # the whole run (5½–8 min after the build)
#   PROFILE=1 Benchmarks/intake/run.sh    # plus pg_stat_statements, wait-event sampling and
#                                         # perf of the server during the 16-client intake
#
# Knobs (environment): INTAKE_SECONDS=10 LIST_SECONDS=10 INTAKE_TENANTS=32 AGENTS_PER_TENANT=3
#   POOL_SIZE=16 SMALL_TENANTS=1000 SMALL_TICKETS=1000 BIG_TENANT_TICKETS=1000000 (0 = no large
#   tenant) SKIP_LISTING=1 (intake only) SKIP_BUILD=1 (use the binary already built in
#   .build-bench-http) KEFU_BIN=PATH (use that binary: smoke runs) QUIET_WAIT=60 (seconds to wait
#   for other work on the machine to stop)
#   KEEP=DIR (copy raw outputs there before cleaning up).
#
# What it does: installs wrk if missing; builds kefu in release mode in .build-bench-http; starts
# a private durable cluster in a fresh KEFU_HOME; creates tenants, agents and keys with the kefu
# CLI; starts `kefu serve`; measures intake with wrk and the same-row INSERT with pgbench at 1, 4
# and 16 clients, interleaved; bulk-loads tickets and measures queue listing and search (`q=`) in
# the same tenants; prints one table
# with every target marked ok/MISSED. Server, cluster and temp dir go on exit, error or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

INTAKE_SECONDS=${INTAKE_SECONDS:-10}
LIST_SECONDS=${LIST_SECONDS:-10}
INTAKE_TENANTS=${INTAKE_TENANTS:-32}
AGENTS_PER_TENANT=${AGENTS_PER_TENANT:-3}
POOL_SIZE=${POOL_SIZE:-16}
SMALL_TENANTS=${SMALL_TENANTS:-1000}
SMALL_TICKETS=${SMALL_TICKETS:-1000}
BIG_TENANT_TICKETS=${BIG_TENANT_TICKETS:-1000000}
SKIP_LISTING=${SKIP_LISTING:-0}
PROFILE=${PROFILE:-0}
KEEP=${KEEP:-}
CLIENT_COUNTS=(1 4 16)
LIST_CLIENT_COUNTS=(1 4)
scratch=${BENCH_SCRATCH:-.build-bench-http}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup (always)
work=""
server_pid=""
child_pids=()
cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    for pid in "${child_pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        log "stopping kefu serve (pid $server_pid)"
        kill -TERM "$server_pid"
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid"
        wait "$server_pid" 2>/dev/null
    fi
    if [[ -n "${KEFU_HOME:-}" && -f "$KEFU_HOME/pgdata/postmaster.pid" ]]; then
        log "stopping the cluster"
        env -u DATABASE_URL -u KEFU_APP_DATABASE_URL "$kefu" db stop >/dev/null 2>&1 \
            || runuser -u postgres -- "$pgbin/pg_ctl" -D "$KEFU_HOME/pgdata" -m immediate -w stop >/dev/null 2>&1
    fi
    if [[ -n "$work" && -d "$work" ]]; then
        if [[ -n "$KEEP" ]]; then
            mkdir -p "$KEEP" && cp -r "$work"/results.jsonl "$work"/*.out "$work"/*.txt "$work"/*.log "$work"/perf.data "$KEEP"/ 2>/dev/null
            log "raw outputs copied to $KEEP"
        fi
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background and waits for it, so that Ctrl-C / TERM reach the trap at once
# and the cleanup can stop it.
run_child() {
    "$@" &
    local pid=$!
    child_pids+=("$pid")
    local rc=0
    wait "$pid" || rc=$?
    child_pids=("${child_pids[@]/$pid}")
    return "$rc"
}

# ---------------------------------------------------------------- 1. tools
pgbin=/usr/lib/postgresql/15/bin
[[ -x "$pgbin/pgbench" ]] || pgbin=$(dirname "$(command -v pgbench)")
command -v pgbench >/dev/null || [[ -x "$pgbin/pgbench" ]] || die "pgbench not found (Debian package postgresql-contrib / postgresql-15)"
export PATH="$pgbin:$PATH"
if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1 \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null; } \
        || die "could not install wrk"
fi
command -v python3 >/dev/null || die "python3 is needed for the report"

# ---------------------------------------------------------------- 2. build
cd "$root"
if [[ -n "${KEFU_BIN:-}" ]]; then
    log "KEFU_BIN: using $KEFU_BIN (smoke runs use the debug build)"
    kefu=$KEFU_BIN
else
    if [[ "${SKIP_BUILD:-0}" == 1 ]]; then
        log "SKIP_BUILD=1: using the kefu binary already in $scratch"
    else
        log "building kefu (release, --scratch-path $scratch; the first build takes several minutes)"
        swift build -c release --product kefu --scratch-path "$scratch" >&2
    fi
    kefu="$(swift build -c release --product kefu --scratch-path "$scratch" --show-bin-path)/kefu"
fi
[[ -x "$kefu" ]] || die "no kefu binary at $kefu"

# ---------------------------------------------------------------- 3. cluster, tenants, server
work=$(mktemp -d /tmp/kefu-bench-http.XXXXXX)
chmod 755 "$work"
export KEFU_HOME="$work/home"
mkdir -p "$KEFU_HOME" "$work/tenants"
chmod 755 "$KEFU_HOME"
export KEFU_SQL_DIR="$root/sql"
unset DATABASE_URL KEFU_APP_DATABASE_URL
# Run a private copy: a concurrent build in the same scratch path may relink the original.
cp "$kefu" "$work/kefu"
kefu="$work/kefu"
results="$work/results.jsonl"
: > "$results"

# Other work on these 2 cores skews every figure: wait (at most QUIET_WAIT seconds) until the
# machine is mostly idle; the report shows how much CPU other processes took during each run.
busy_percent() {  # machine CPU busy over the next 3 s
    local a b
    a=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat); sleep 3
    b=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d", 100 * (y[1] - x[1]) / (y[2] - x[2] + 0.001) }'
}
waited=0
while busy=$(busy_percent); (( busy > 25 && waited < ${QUIET_WAIT:-60} )); do
    (( waited == 0 )) && log "the machine is $busy % busy with other work; waiting up to ${QUIET_WAIT:-60} s for it to calm down"
    waited=$(( waited + 3 ))
done
(( busy <= 25 )) || log "warning: still $busy % busy with other work; measuring anyway (see the 'other CPU' column)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average now: $load_before"

log "starting a private durable cluster in $KEFU_HOME"
"$kefu" db url >/dev/null 2>>"$work/cli.log" || die "could not start the embedded cluster (see $work/cli.log)"
[[ -f "$KEFU_HOME/pgdata/PG_VERSION" ]] || die "the cluster was not created under KEFU_HOME (relocated?)"
# Both URLs from the embedded configuration (with DATABASE_URL already set, `db url --app` would
# print the owner's URL, and the API would then run as the superuser, without row-level security).
owner_url=$("$kefu" db url 2>>"$work/cli.log")
app_url=$("$kefu" db url --app 2>>"$work/cli.log")
[[ "$app_url" == postgres://kefu_app@* ]] || die "unexpected application URL: $app_url"
export DATABASE_URL="$owner_url" KEFU_APP_DATABASE_URL="$app_url"
psql_owner() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

if [[ "$PROFILE" == 1 ]]; then
    log "PROFILE=1: enabling pg_stat_statements (restart)"
    psql_owner -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$KEFU_HOME/pgdata" -l "$KEFU_HOME/pgdata/server.log" -m fast -w restart >/dev/null
    psql_owner -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null
fi

log "kefu migrate"
"$kefu" migrate >/dev/null 2>>"$work/cli.log"
[[ "$PROFILE" == 1 ]] && psql_owner -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

durability=$(psql_owner -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
                                 WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")
[[ "$durability" == "fsync=on full_page_writes=on synchronous_commit=on" ]] \
    || die "the cluster is not durable ($durability)"
pg_version=$(psql_owner -At -c "SHOW server_version")

log "creating $INTAKE_TENANTS intake tenants with $AGENTS_PER_TENANT on-duty agents each (kefu CLI)"
batch() {  # runs "$@" for every line of stdin, 4 at a time
    local n=0 line pids=()
    while read -r line; do
        "$@" "$line" & pids+=($!)
        if (( ++n % 4 == 0 )); then wait "${pids[@]}"; pids=(); fi
    done
    (( ${#pids[@]} == 0 )) || wait "${pids[@]}"
}
create_tenant() {
    local slug; slug=$(printf 'intake-%03d' "$1")
    "$kefu" tenant create --slug "$slug" --name "Intake tenant $1" --json > "$work/tenants/$1.json" 2>>"$work/cli.log"
}
add_agent() {  # "TENANT_INDEX AGENT_INDEX"
    local t=${1% *} a=${1#* } slug tiers=(junior mid senior)
    slug=$(printf 'intake-%03d' "$t")
    "$kefu" agent add --tenant "$slug" --name "Agent $a" --email "agent$a@$slug.bench" \
        --tier "${tiers[$(( (a - 1) % 3 ))]}" --duty-status on_duty --json >/dev/null 2>>"$work/cli.log"
}
seq 1 "$INTAKE_TENANTS" | batch create_tenant
for t in $(seq 1 "$INTAKE_TENANTS"); do for a in $(seq 1 "$AGENTS_PER_TENANT"); do echo "$t $a"; done; done | batch add_agent
python3 - "$work/tenants" "$INTAKE_TENANTS" > "$work/keys.txt" <<'EOF'
import json, sys
for i in range(1, int(sys.argv[2]) + 1):
    print(json.load(open(f"{sys.argv[1]}/{i}.json"))["api_key"])
EOF
head -n 1 "$work/keys.txt" > "$work/key-one-tenant.txt"
agents=$(psql_owner -At -c "SELECT count(*) FROM agents a JOIN tenants t ON t.id = a.tenant_id
                            WHERE t.slug LIKE 'intake-%' AND a.role = 'agent' AND a.duty_status = 'on_duty'")
(( agents == INTAKE_TENANTS * AGENTS_PER_TENANT )) || die "expected $((INTAKE_TENANTS * AGENTS_PER_TENANT)) agents, found $agents (see $work/cli.log)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log "starting kefu serve on $base (KEFU_DB_POOL_SIZE=$POOL_SIZE)"
KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT=$port KEFU_DB_POOL_SIZE=$POOL_SIZE \
    "$kefu" serve > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || die "kefu serve exited: $(tail -5 "$work/serve.log")"
    sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || die "kefu serve not ready after 30 s"

# Chat is served around the clock in these tenants, so that no ticket gets the out-of-hours
# automatic reply (two more statements) depending on the time of day the benchmark runs.
while read -r key; do
    curl -fsS -X PATCH -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"settings": {"always_open_channels": ["chat"]}}' "$base/v1/settings" >/dev/null
done < "$work/keys.txt"
first=$(curl -fsS -X POST -H "Authorization: Bearer $(head -n 1 "$work/keys.txt")" -H 'Content-Type: application/json' \
    -d '{"customer": {"name": "Smoke test"}, "channel": "chat", "category": "inquiry", "description": "smoke test"}' \
    -w ' %{http_code}' "$base/v1/tickets")
[[ "$first" == *'"status":"assigned"'*' 201' ]] || die "intake smoke test failed: $first"
app_backends=$(psql_owner -At -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'kefu_app'")
(( app_backends > 0 )) || die "the API does not connect as kefu_app"

commit="commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -n "$(git -C "$root" status --porcelain --untracked-files=no -- Sources sql Package.swift 2>/dev/null)" ]] \
    && commit="$commit + uncommitted changes in Sources/sql"
printf '{"kind": "meta", "date": "%s", "commit": "%s", "cores": %d, "postgres": "PostgreSQL %s", %s, "pool": %d, "load_before": "%s", "intake_seconds": %d, "list_seconds": %d, "intake_tenants": %d}\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$commit" "$(nproc)" "$pg_version" \
    "$(sed -E 's/([a-z_]+)=([a-z]+)/"\1": "\2"/g; s/" "/", "/g' <<< "$durability")" \
    "$POOL_SIZE" "$load_before" "$INTAKE_SECONDS" "$LIST_SECONDS" "$INTAKE_TENANTS" >> "$results"

# ---------------------------------------------------------------- 4. intake vs pgbench
cpu() { python3 "$here/cpu.py" "$server_pid" "$KEFU_HOME/pgdata"; }
export KEFU_BENCH_LUA="$here"

wrk_intake() {  # CLIENTS KEYS_FILE OUTPUT
    local c=$1 t=$(( $1 < 2 ? $1 : 2 ))
    WRK_THREADS=$t run_child /usr/bin/time -f '%U %S' -o "$3.time" wrk -c "$c" -t "$t" -d "${INTAKE_SECONDS}s" \
        --timeout 10s --latency -s "$here/intake.lua" "$base" -- "$2" > "$3"
}
pgbench_insert() {  # CLIENTS OUTPUT_PREFIX
    local c=$1 j=$(( $1 < 2 ? $1 : 2 ))
    run_child /usr/bin/time -f '%U %S' -o "$2.out.time" pgbench -n -f "$here/pgbench-insert.sql" \
        -D ntenants="$INTAKE_TENANTS" -c "$c" -j "$j" -T "$INTAKE_SECONDS" -l --log-prefix="$2" "$DATABASE_URL" > "$2.out" 2>&1
}
wrk_json() { grep '^WRKJSON ' "$1" | tail -n 1 | cut -d' ' -f2-; }
loadgen_s() { awk '{ print $1 + $2 }' "$1.time"; }  # CPU seconds of wrk / pgbench (GNU time)

log "pgbench reference set-up ($INTAKE_TENANTS tenants of its own)"
psql_owner -v ntenants="$INTAKE_TENANTS" -f "$here/pgbench-setup.sql"

log "warming up (3 s of HTTP intake and of pgbench, not counted)"
INTAKE_SECONDS=3 wrk_intake 4 "$work/keys.txt" "$work/warmup.out"
INTAKE_SECONDS=3 pgbench_insert 4 "$work/pgb-warmup"

for c in "${CLIENT_COUNTS[@]}"; do
    log "intake: HTTP, $c clients, ${INTAKE_SECONDS} s"
    before=$(cpu)
    perf_pid=""
    if [[ "$PROFILE" == 1 && "$c" == 16 ]]; then
        psql_owner -c "SELECT pg_stat_statements_reset()" >/dev/null
        psql_owner -v seconds="$((INTAKE_SECONDS - 1))" -f "$here/profile-waits.sql" > "$work/waits.log" 2>&1 &
        waits_pid=$!; child_pids+=("$waits_pid")
        if command -v perf >/dev/null; then
            (sleep 1; perf record -F 999 -g -p "$server_pid" -o "$work/perf.data" -- sleep "$((INTAKE_SECONDS - 3))" \
                > "$work/perf.log" 2>&1) &
            perf_pid=$!; child_pids+=("$perf_pid")
        fi
    fi
    wrk_intake "$c" "$work/keys.txt" "$work/wrk-intake-$c.out"
    after=$(cpu)
    [[ -n "$perf_pid" ]] && wait "$perf_pid" 2>/dev/null
    printf '{"kind": "intake", "side": "http", "clients": %d, "spread": true, "stats": %s, "cpu0": %s, "cpu1": %s, "loadgen_s": %s}\n' \
        "$c" "$(wrk_json "$work/wrk-intake-$c.out")" "$before" "$after" "$(loadgen_s "$work/wrk-intake-$c.out")" >> "$results"
    if [[ "$PROFILE" == 1 && "$c" == 16 ]]; then
        wait "$waits_pid" 2>/dev/null || true
        tickets=$(wrk_json "$work/wrk-intake-$c.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
        psql_owner -v tickets="$tickets" -f "$here/profile-report.sql" > "$work/profile.txt" 2>&1 || true
        if [[ -f "$work/perf.data" ]]; then
            { echo "perf of kefu serve (cycles by shared object, then top symbols, self time):"
              perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
              perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
              echo "perf of kefu serve: Kefu's own functions by inclusive time (callees included):"
              perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
                  | grep -E '^ +[0-9].*\$s(8KefuCore|7KefuAPI|12KefuPostgres)' | head -30 \
                  | { if command -v swift >/dev/null; then swift demangle --simplified; else cat; fi; } \
                  | awk '{ $3 = ""; $4 = ""; print }' | cut -c1-160
            } >> "$work/profile.txt" || true
        fi
    fi

    log "intake: pgbench, $c clients, ${INTAKE_SECONDS} s"
    before=$(cpu)
    pgbench_insert "$c" "$work/pgb-$c"
    after=$(cpu)
    printf '{"kind": "intake", "side": "pgbench", "clients": %d, "stats": %s, "cpu0": %s, "cpu1": %s, "loadgen_s": %s}\n' \
        "$c" "$(python3 "$here/pgbench-stats.py" "$work/pgb-$c.out" "$work"/pgb-"$c".[0-9]*)" "$before" "$after" \
        "$(loadgen_s "$work/pgb-$c.out")" >> "$results"
done

log "intake: HTTP, 16 clients, all on ONE tenant (ticket-number counter row), ${INTAKE_SECONDS} s"
before=$(cpu)
wrk_intake 16 "$work/key-one-tenant.txt" "$work/wrk-intake-16-one.out"
after=$(cpu)
printf '{"kind": "intake", "side": "http", "clients": 16, "spread": false, "stats": %s, "cpu0": %s, "cpu1": %s, "loadgen_s": %s}\n' \
    "$(wrk_json "$work/wrk-intake-16-one.out")" "$before" "$after" "$(loadgen_s "$work/wrk-intake-16-one.out")" >> "$results"

# ---------------------------------------------------------------- 5. queue listing
if [[ "$SKIP_LISTING" != 1 ]]; then
    total=$(( SMALL_TENANTS * SMALL_TICKETS + BIG_TENANT_TICKETS ))
    log "bulk load: $SMALL_TENANTS tenants × $SMALL_TICKETS tickets + one tenant with $BIG_TENANT_TICKETS ($total rows, two sessions)"
    t0=$(date +%s)
    vars=(-v small_tenants="$SMALL_TENANTS" -v small_tickets="$SMALL_TICKETS" -v big_tickets="$BIG_TENANT_TICKETS")
    psql_owner "${vars[@]}" -f "$here/bulk-setup.sql"
    psql_owner "${vars[@]}" -v which=small -f "$here/bulk-tickets.sql" > "$work/bulk-small.log" 2>&1 &
    small_pid=$!; child_pids+=("$small_pid")
    big_pid=""
    if (( BIG_TENANT_TICKETS > 0 )); then
        psql_owner "${vars[@]}" -v which=big -f "$here/bulk-tickets.sql" > "$work/bulk-big.log" 2>&1 &
        big_pid=$!; child_pids+=("$big_pid")
    fi
    wait "$small_pid" || die "bulk load failed: $(cat "$work/bulk-small.log")"
    [[ -z "$big_pid" ]] || wait "$big_pid" || die "bulk load failed: $(cat "$work/bulk-big.log")"
    psql_owner -f "$here/bulk-finish.sql"
    load_seconds=$(( $(date +%s) - t0 ))
    size=$(psql_owner -At -c "SELECT pg_size_pretty(pg_total_relation_size('tickets'))")
    log "bulk load done in ${load_seconds} s (tickets table with indexes: $size)"

    typical=$(printf 'bulk-%04d' $(( (SMALL_TENANTS + 1) / 2 )))
    listing_tenants=("$typical")
    (( BIG_TENANT_TICKETS > 0 )) && listing_tenants+=(bulk-big)
    printf '{"kind": "meta", "bulk_summary": "%s"}\n' \
        "bulk-loaded $SMALL_TENANTS tenants × $SMALL_TICKETS tickets + bulk-big with $BIG_TENANT_TICKETS in ${load_seconds} s, tickets table $size; the key is agent1's of the tenant" >> "$results"

    # One wrk run of GET /v1/tickets?QUERY as $key (tenant $slug, $its tickets), recorded as a
    # KIND line (list | search); EXTRA is more JSON fields, each followed by ", ".
    wrk_get() {  # KIND QUERY CLIENTS OUTPUT [EXTRA]
        local kind=$1 q=$2 c=$3 out=$4 extra=${5:-} before after
        log "$kind: $slug, $q, $c clients, ${LIST_SECONDS} s"
        before=$(cpu)
        run_child /usr/bin/time -f '%U %S' -o "$out.time" wrk -c "$c" -t "$(( c < 2 ? c : 2 ))" \
            -d "${LIST_SECONDS}s" --timeout 10s --latency -s "$here/list.lua" "$base/v1/tickets?$q" -- "$key" > "$out"
        after=$(cpu)
        printf '{"kind": "%s", "tenant": "%s", "tickets": %d, "query": "%s", %s"clients": %d, "stats": %s, "cpu0": %s, "cpu1": %s, "loadgen_s": %s}\n' \
            "$kind" "$slug" "$its" "$q" "$extra" "$c" "$(wrk_json "$out")" "$before" "$after" "$(loadgen_s "$out")" >> "$results"
    }
    for slug in "${listing_tenants[@]}"; do
        key=$("$kefu" key create --tenant "$slug" --agent agent1@bulk.kefu.local --name bench --json 2>>"$work/cli.log" \
              | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
        tenant_id=$(psql_owner -At -c "SELECT id FROM tenants WHERE slug = '$slug'")
        agent_id=$(psql_owner -At -c "SELECT id FROM agents WHERE tenant_id = '$tenant_id' AND email = 'agent1@bulk.kefu.local'")
        its=$(psql_owner -At -c "SELECT count(*) FROM tickets WHERE tenant_id = '$tenant_id'")
        open='assigned,in_progress,waiting_on_customer,escalated'
        queries=("status=assigned&limit=50" "status=assigned&priority=P1&limit=50" "owner_id=me&status=$open&limit=50")
        # As TicketQueryService.list writes them (explain-list.sql): one status compared with =, several merged.
        filters=("AND t.status = 'assigned'" "AND t.priority = 'P1' AND t.status = 'assigned'" "AND t.owner_id = '$agent_id'::uuid")
        statuses=("" "" "$open")
        for i in "${!queries[@]}"; do
            q=${queries[$i]}
            code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/v1/tickets?$q")
            [[ "$code" == 200 ]] || die "GET /v1/tickets?$q answered $code"
            for c in "${LIST_CLIENT_COUNTS[@]}"; do
                wrk_get list "$q" "$c" "$work/wrk-list-$slug-$i-$c.out"
            done
            {
                echo
                echo "EXPLAIN (ANALYZE, BUFFERS) — tenant $slug ($its tickets), GET /v1/tickets?$q, as the owner:"
                psql_owner -v tenant="$tenant_id" -v filter="${filters[$i]}" -v statuses="${statuses[$i]}" -f "$here/explain-list.sql"
            } >> "$work/explain.txt"
        done
        # Ticket search in the same tenant and run, printed beside the queue page above: a
        # ticket's number (one hit: "Ticket N of tenant …"), a word one ticket in six carries (and
        # one reply in fifteen) within the assigned queue and unfiltered, and a two-character
        # Chinese word (退款, URL-encoded) one ticket in ten carries (and one reply in fifty).
        searches=("q=$(( its / 2 + 1 ))&limit=50" "q=parcel&status=assigned&limit=50" "q=parcel&limit=50"
                  "q=%E9%80%80%E6%AC%BE&limit=50")
        for q in "${searches[@]}"; do
            items=$(curl -fsS -H "Authorization: Bearer $key" "$base/v1/tickets?$q" \
                    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))') \
                || die "GET /v1/tickets?$q failed"
            # The number always has its ticket; tiny smoke tenants may have no assigned ticket.
            [[ "$q" != q=[0-9]* ]] || (( items > 0 )) || die "GET /v1/tickets?$q found nothing"
            for c in "${LIST_CLIENT_COUNTS[@]}"; do
                wrk_get search "$q" "$c" "$work/wrk-search-$slug-${q%%&*}-$c.out" "\"hits\": $items, "
            done
        done
    done
fi

# ---------------------------------------------------------------- 6. report
echo
echo "================================================================ query plans (warm, after the listing runs)"
[[ -f "$work/explain.txt" ]] && cat "$work/explain.txt"
if [[ -f "$work/profile.txt" ]]; then
    echo
    echo "================================================================ profile: HTTP intake, 16 clients, $INTAKE_TENANTS tenants"
    cat "$work/profile.txt"
fi
echo
echo "================================================================ results"
python3 "$here/report.py" "$results"
