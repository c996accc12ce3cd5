#!/usr/bin/env bash
# Reports benchmark (issue #7: "Reports stay fast on 1 M tickets: weekly report <= 200 ms;
# document how it scales").
#
#   Benchmarks/reports/run.sh
#
# Builds kefu (release; scratch path $BENCH_SCRATCH, default .build-bench-http), starts a private
# durable cluster in a temporary KEFU_HOME (fsync on, the embedded cluster's defaults), runs
# `kefu migrate`, creates the report tenants with `kefu tenant create` (their API keys come from
# it) and bulk-loads, as the owner, in three concurrent sessions so that tenants' rows interleave
# on the heap as in production:
#   - rpt-big: RB_BIG tickets (1,000,000) over 52 weeks, 50 agents, 20,000 customers, a 3-level
#     taxonomy, tags, owner history, SLA breaches, surveys (low ratings too), QA, complaints,
#     incidents; the week at RB_BUSY_WEEKS_AGO (6) weeks before this one holds twice the volume;
#   - rpt-mid: the same with RB_MID tickets (100,000), to show how the cost scales;
#   - RB_TENANTS (1,000) other tenants with RB_OTHER (1,000) tickets each (Benchmarks/intake's
#     bulk loader), so the tables are shared;
# then VACUUM ANALYZE, `kefu serve`, and measures through HTTP (curl, one request at a time,
# RB_REQUESTS (60) per figure after 5 warm-up requests): the weekly report as JSON, CSV and SVG
# for the busy week and a normal week of rpt-big and the busy week of rpt-mid, and the agent
# KPI report for the 30 days ending with the busy week. Finally every statement one weekly
# report and one KPI report run, with its plan and actual times (auto_explain, log_analyze, as
# kefu_app under row-level security, after restarting the server so that its connections load
# it). When the rollup trigger of sql/010 exists, intake's ticket INSERT is timed with pgbench with
# and without it (what the rollup costs writers). Prints a table (figure | measured | target |
# ok/MISSED); everything is removed at exit.
#
# Knobs (environment): RB_BIG (1000000), RB_MID (100000), RB_TENANTS (1000), RB_OTHER (1000),
# RB_REQUESTS (60), RB_BUSY_WEEKS_AGO (6), RB_WRITE_SECONDS (10), RB_WRITE_ROUNDS (3),
# BENCH_SCRATCH (.build-bench-http), SKIP_BUILD=1 (use the binary already built there),
# RB_KEEP_RESULTS=DIR (copy raw outputs: plans, latencies, responses, logs), RB_HOLD=1 (before
# cleaning up, print the database URLs and wait until $KEFU_HOME/hold is deleted: for looking at
# plans by hand).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

BIG=${RB_BIG:-1000000}
MID=${RB_MID:-100000}
TENANTS=${RB_TENANTS:-1000}
OTHER=${RB_OTHER:-1000}
REQUESTS=${RB_REQUESTS:-60}
BUSY_WEEKS_AGO=${RB_BUSY_WEEKS_AGO:-6}
stats_awk="$root/Benchmarks/worker/stats.awk"
table_awk="$root/Benchmarks/worker/report.awk"

log() { printf '[reports-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ns() { date +%s%N; }

# --- 1-2. release build, private durable cluster (stopped and deleted at exit), migrations ---
server_pid=""
stop_server() {
    [[ -n $server_pid ]] || return 0
    stop_pid "$server_pid"
    server_pid=""
}
before_cleanup() {
    if [[ ${RB_HOLD:-0} == 1 && -n ${owner_url:-} ]]; then
        touch "$KEFU_HOME/hold"
        log "RB_HOLD=1: owner $owner_url, application $app_url; delete $KEFU_HOME/hold to clean up"
        while [[ -f $KEFU_HOME/hold ]]; do sleep 2; done
    fi
    stop_server
}
BENCH_NAME=reports-bench
KEEP_RESULTS=${RB_KEEP_RESULTS:-}
source "$root/Benchmarks/lib/private-cluster.sh"
load_at_start=$load_before
sql_value() { psql "$owner_url" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
migrations=$(sql_value "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations" 2>/dev/null || echo '?')

for slug in rpt-big rpt-mid; do
    "$kefu" tenant create --slug "$slug" --name "Report tenant $slug" --timezone Asia/Shanghai --json \
        >"$results/tenant-$slug.json" 2>>"$results/cli.log"
done
key_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_key"])' "$results/tenant-$1.json"; }

# --- 3. bulk load -------------------------------------------------------------------------------
window_end=$(sql_value "SELECT now()")
window_start=$(sql_value "SELECT '$window_end'::timestamptz - interval '364 days'")
busy_week=$(sql_value "SELECT to_char(date_trunc('week', now() AT TIME ZONE 'UTC') - interval '$BUSY_WEEKS_AGO weeks', 'YYYY-MM-DD')")
normal_week=$(sql_value "SELECT to_char('$busy_week'::date + 21, 'YYYY-MM-DD')")
kpi_from=$(sql_value "SELECT to_char('$busy_week'::date - 23, 'YYYY-MM-DD')")
kpi_to=$(sql_value "SELECT to_char('$busy_week'::date + 7, 'YYYY-MM-DD')")
log "bulk-loading rpt-big ($BIG tickets), rpt-mid ($MID) and $TENANTS tenants x $OTHER (busy week $busy_week)"
start=$(now_ns)
psql_owner -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "SELECT pg_reload_conf()" >/dev/null
psql_owner -v small_tenants="$TENANTS" -v big_tickets=0 -f "$root/Benchmarks/intake/bulk-setup.sql"
load_tenant() {  # SLUG TICKETS AGENTS CUSTOMERS SEED
    psql_owner -v slug="$1" -v tickets="$2" -v agents="$3" -v customers="$4" -v seed="$5" -v busy_factor=2 \
        -v window_start="$window_start" -v window_end="$window_end" -v busy_week="$busy_week UTC" \
        -f "$here/bulk-tenant.sql" >"$results/bulk-$1.log" 2>&1
}
psql_owner -v which=small -v small_tenants="$TENANTS" -v small_tickets="$OTHER" -v big_tickets=0 \
    -f "$root/Benchmarks/intake/bulk-tickets.sql" >"$results/bulk-others.log" 2>&1 & pids+=($!)
load_tenant rpt-big "$BIG" 50 20000 0.3 & pids+=($!)
load_tenant rpt-mid "$MID" 10 2000 0.4 & pids+=($!)
for pid in "${pids[@]}"; do
    wait "$pid" || { cat "$results"/bulk-*.log >&2; die "bulk load failed"; }
done
pids=()
load_s=$(( ($(now_ns) - start) / 1000000000 ))
start=$(now_ns)
psql_owner -f "$here/bulk-finish.sql" >/dev/null
vacuum_s=$(( ($(now_ns) - start) / 1000000000 ))
loaded=$(sql_value "SELECT format('%s tickets over %s tenants (table %s with indexes), %s ticket tags, %s surveys, %s assignments',
                                  (SELECT count(*) FROM tickets), (SELECT count(*) FROM tenants),
                                  pg_size_pretty(pg_total_relation_size('tickets')), (SELECT count(*) FROM ticket_tags),
                                  (SELECT count(*) FROM surveys), (SELECT count(*) FROM ticket_assignments))")
log "loaded in $load_s s, vacuum/analyze $vacuum_s s: $loaded"

# --- 4. server ----------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
start_server() {
    KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT=$port DATABASE_URL="$owner_url" KEFU_APP_DATABASE_URL="$app_url" \
        "$kefu" serve >>"$results/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 150); do
        curl -fsS "$base/readyz" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || die "kefu serve exited: $(tail -5 "$results/serve.log")"
        sleep 0.2
    done
    die "kefu serve not ready after 30 s"
}
start_server
(( $(sql_value "SELECT count(*) FROM pg_stat_activity WHERE usename = 'kefu_app'") > 0 )) || die "the API does not connect as kefu_app"

# --- 5. latency through HTTP --------------------------------------------------------------------
# measure NAME SLUG PATH [ACCEPT]: REQUESTS sequential requests after 5 warm-up ones; writes the
# last body to results/NAME.body and "n min p50 p99 max mean" (ms) to results/NAME.stats.
measure() {
    local name=$1 key path=$3 accept=${4:-application/json} i code
    key=$(key_of "$2")
    for i in $(seq 1 5); do
        code=$(curl -sS -o "$results/$name.body" -w '%{http_code}' -H "Authorization: Bearer $key" -H "Accept: $accept" "$base$path")
        [[ $code == 200 ]] || die "GET $path answered $code: $(head -c 300 "$results/$name.body")"
    done
    : >"$results/$name.ms"
    for i in $(seq 1 "$REQUESTS"); do
        curl -sS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" -H "Accept: $accept" "$base$path" \
            | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$results/$name.ms"
    done
    sort -n "$results/$name.ms" | awk -f "$stats_awk" >"$results/$name.stats"
    log "$name: $(cat "$results/$name.stats") (n min p50 p99 max mean, ms; load $(cut -d' ' -f1-3 /proc/loadavg))"
}
week_tickets() {  # SLUG WEEK -> tickets created in that week
    sql_value "SELECT count(*) FROM tickets t JOIN tenants n ON n.id = t.tenant_id
               WHERE n.slug = '$1' AND t.created_at >= '$2 UTC' AND t.created_at < '$2 UTC'::timestamptz + interval '7 days'"
}
load_before_http=$(cut -d' ' -f1-3 /proc/loadavg)
cases=("big-busy rpt-big $busy_week" "big-normal rpt-big $normal_week" "mid-busy rpt-mid $busy_week")
for c in "${cases[@]}"; do
    read -r name slug week <<<"$c"
    measure "$name-json" "$slug" "/v1/reports/weekly?week_start=$week"
    measure "$name-csv" "$slug" "/v1/reports/weekly?week_start=$week" text/csv
    measure "$name-svg" "$slug" "/v1/reports/weekly.svg?week_start=$week" image/svg+xml
    echo "$(week_tickets "$slug" "$week")" >"$results/$name.tickets"
    reported=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_tickets"])' "$results/$name-json.body")
    [[ $reported == "$(cat "$results/$name.tickets")" ]] || die "$name: the report counts $reported tickets, the table $(cat "$results/$name.tickets")"
done
measure kpi-big rpt-big "/v1/reports/agents?from=$kpi_from&to=$kpi_to"
measure kpi-mid rpt-mid "/v1/reports/agents?from=$kpi_from&to=$kpi_to"
kpi_tickets=$(sql_value "SELECT count(*) FROM tickets t JOIN tenants n ON n.id = t.tenant_id
                         WHERE n.slug = 'rpt-big' AND t.created_at >= '$kpi_from UTC' AND t.created_at < '$kpi_to UTC'")
load_after_http=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 6. where the time goes: every statement with its plan (auto_explain) ------------------------
log "plans: auto_explain (log_analyze) for kefu_app; one weekly report (busy week, rpt-big) and one KPI report"
stop_server
psql_owner -c "ALTER ROLE kefu_app SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER ROLE kefu_app SET auto_explain.log_min_duration = 0" -c "ALTER ROLE kefu_app SET auto_explain.log_analyze = on" \
    -c "ALTER ROLE kefu_app SET auto_explain.log_buffers = on"
server_log="$KEFU_HOME/pgdata/server.log"
start_server
explain_request() {  # NAME SLUG PATH
    local offset
    curl -fsS -o /dev/null -H "Authorization: Bearer $(key_of "$2")" "$base$3"   # warm this connection's caches
    offset=$(stat -c %s "$server_log")
    curl -fsS -o /dev/null -H "Authorization: Bearer $(key_of "$2")" "$base$3"
    sleep 0.3
    tail -c +"$((offset + 1))" "$server_log" >"$results/plans-$1.log"
}
explain_request weekly rpt-big "/v1/reports/weekly?week_start=$busy_week"
explain_request kpi rpt-big "/v1/reports/agents?from=$kpi_from&to=$kpi_to"
stop_server
psql_owner -c "ALTER ROLE kefu_app RESET ALL"
# One line per statement: duration and the statement's first line.
summarize_plans() {
    awk '/duration: [0-9.]+ ms +plan:/ { match($0, /duration: [0-9.]+ ms/); d = substr($0, RSTART + 10, RLENGTH - 13); want = 1; next }
         want && /Query Text:/ { sub(/.*Query Text: */, ""); printf "%9.2f ms  %s\n", d, substr($0, 1, 110); want = 0 }' "$1"
}

# --- 7. what the rollup costs writers --------------------------------------------------------------
# Intake's ticket INSERT (Benchmarks/intake/pgbench-*.sql, 32 tenants of its own), with the rollup
# trigger and without it, alternating, RB_WRITE_ROUNDS rounds of RB_WRITE_SECONDS at 1 and 4 clients
# after a 3-second warm-up; medians.
write_cost=()
if [[ $(sql_value "SELECT count(*) FROM pg_trigger WHERE tgname = 'tickets_report_insert'") == 1 ]]; then
    log "write cost: ticket INSERT with and without the rollup trigger (pgbench)"
    psql_owner -v ntenants=32 -f "$root/Benchmarks/intake/pgbench-setup.sql" >/dev/null
    insert_tps() {  # CLIENTS -> tps
        pgbench -n -f "$root/Benchmarks/intake/pgbench-insert.sql" -D ntenants=32 -c "$1" -j "$(( $1 < 2 ? $1 : 2 ))" \
            -T "${RB_WRITE_SECONDS:-10}" "$owner_url" 2>&1 | sed -n 's/^tps = \([0-9]*\).*/\1/p'
    }
    median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    for clients in 1 4; do
        RB_WRITE_SECONDS=3 insert_tps "$clients" >/dev/null   # warm-up, not counted
        with=() without=()
        for round in $(seq 1 "${RB_WRITE_ROUNDS:-3}"); do
            with+=("$(insert_tps "$clients")")
            psql_owner -c "ALTER TABLE tickets DISABLE TRIGGER tickets_report_insert"
            without+=("$(insert_tps "$clients")")
            psql_owner -c "ALTER TABLE tickets ENABLE TRIGGER tickets_report_insert"
        done
        write_cost+=("$clients $(median "${with[@]}") $(median "${without[@]}")")
        log "write cost, $clients clients: with the trigger ${with[*]} tps, without ${without[*]} tps (load $(cut -d' ' -f1-3 /proc/loadavg))"
    done
fi

# --- 8. report ------------------------------------------------------------------------------------
figure() { cut -d' ' -f"$2" "$results/$1.stats"; }   # 3 = p50, 4 = p99
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'; }
{
    for c in "${cases[@]}"; do
        read -r name slug week <<<"$c"
        for f in json csv svg; do
            printf 'weekly %s, %s, week %s (%s tickets), p50 / p99\t%s / %s ms\t<= 200 ms\t%s\n' \
                "$f" "$slug" "$week" "$(cat "$results/$name.tickets")" "$(figure "$name-$f" 3)" "$(figure "$name-$f" 4)" \
                "$(verdict "$(figure "$name-$f" 4)" 200)"
        done
    done
    printf 'agent KPIs, rpt-big, %s .. %s (%s tickets), p50 / p99\t%s / %s ms\t(no target)\t-\n' \
        "$kpi_from" "$kpi_to" "$kpi_tickets" "$(figure kpi-big 3)" "$(figure kpi-big 4)"
    printf 'agent KPIs, rpt-mid, same period, p50 / p99\t%s / %s ms\t(no target)\t-\n' "$(figure kpi-mid 3)" "$(figure kpi-mid 4)"
    for line in "${write_cost[@]}"; do
        read -r clients with without <<<"$line"
        printf 'ticket INSERT (pgbench, %s clients), with / without the rollup trigger\t%s / %s tps\t(cost of the rollup)\t-\n' \
            "$clients" "$with" "$without"
    done
} >"$results/table.tsv"

echo
echo "Reports benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD), migrations $migrations"
echo "Data: $loaded; loaded in $load_s s + vacuum/analyze $vacuum_s s. Durable cluster, $(nproc) cores."
echo "Load average: at start $load_at_start, before the HTTP runs $load_before_http, after $load_after_http."
echo "Each figure: $REQUESTS sequential requests (curl, keep-alive off) after 5 warm-up requests."
echo
awk -f "$table_awk" "$results/table.tsv"
echo
echo "Statements of one weekly report (rpt-big, week $busy_week) as kefu_app, auto_explain actual times:"
summarize_plans "$results/plans-weekly.log"
echo
echo "Statements of one agent KPI report (rpt-big, $kpi_from .. $kpi_to):"
summarize_plans "$results/plans-kpi.log"
echo
echo "Plans (weekly report):"
grep -v '^\s*$' "$results/plans-weekly.log" | sed -n '/plan:/,$p' | cut -c1-200
