#!/usr/bin/env bash
# Worker benchmark (issue: "a sweep over 1 M open tickets with nothing due costs <= 10 ms;
# 10,000 due actions are processed at >= 2,000/s with 2 workers").
#
#   Benchmarks/worker/run.sh
#
# Builds kefu (release, scratch path .build-bench-http), starts a private durable cluster in a
# temporary KEFU_HOME (fsync on, the embedded cluster's defaults), creates tenants with the CLI
# and 1,000 more with SQL, bulk-loads 1,000,000 open tickets with 4 future SLA timers each, then
#   1. a sweep with nothing due: the claim query alone (EXPLAIN ANALYZE, and pgbench latency
#      p50/p99 as the application role) and the whole `kefu worker --once --json` process;
#   2. 10,000 first-response clocks made overdue at once, two `kefu worker --interval 0.2`
#      processes, time until no due timer is left -> actions/s; exactly-once checks; SIGTERM;
#   3. diagnostics: the statements per action as the server saw them, CPU per action, one
#      worker alone under perf; with WB_OLD_DIAG=1 also the per-timer diagnostics of the first
#      runs (EXPLAIN ANALYZE of each statement of a per-timer escalation, pgbench replays of it,
#      and the set-based what-if), which describe the design before sql/012.
# Prints a table (figure | measured | target | ok/MISSED); everything is removed at exit.
#
# Knobs (environment): WB_TICKETS (1000000), WB_TENANTS (1000), WB_DUE (10000), WB_SWEEPS (7),
# WB_CLAIMS (200), WB_TIMEOUT (300 s for the 10,000 actions), WB_OLD_DIAG (0); WB_KEEP_RESULTS=DIR
# copies the raw outputs (plans, pgbench logs, worker logs) to DIR before the cluster is deleted;
# BENCH_SCRATCH (.build-bench-http) is the release build's scratch path; SKIP_BUILD=1 uses the binary already there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

TICKETS=${WB_TICKETS:-1000000}
TENANTS=${WB_TENANTS:-1000}
DUE=${WB_DUE:-10000}
SWEEPS=${WB_SWEEPS:-7}
CLAIMS=${WB_CLAIMS:-200}
TIMEOUT=${WB_TIMEOUT:-300}
OLD_DIAG=${WB_OLD_DIAG:-0}

log() { printf '[worker-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
# CPU seconds (user + system, including reaped children: the postmaster accumulates its
# backends' time when they exit) of the given pids; 0 for pids that are gone.
cpu_seconds() {
    local total=0 pid fields
    for pid in "$@"; do
        fields=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
        total=$(( total + $(awk '{print $12 + $13 + $14 + $15}' <<<"$fields") ))
    done
    awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# Busy CPU seconds of the whole machine (all processes, all cores) since boot.
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

# --- 1-2. release build, private durable cluster (stopped and deleted at exit), migrations ---
BENCH_NAME=worker-bench
KEEP_RESULTS=${WB_KEEP_RESULTS:-}
source "$root/Benchmarks/lib/private-cluster.sh"
load_at_start=$load_before

# One row as name=value lines.
psql_values() { psql "$owner_url" -X -q -A -t -x -F= -v ON_ERROR_STOP=1 "$@"; }
value() { sed -n "s/^$1=//p" "$2"; }

for slug in acme globex; do
    "$kefu" tenant create --slug "$slug" --name "${slug^} Ltd" --timezone Asia/Shanghai --json >"$results/tenant-$slug.json" 2>>"$results/cli.log"
    "$kefu" agent add --tenant "$slug" --name "Sam Supervisor" --email "sam@$slug.test" --role supervisor --tier senior \
        >/dev/null 2>>"$results/cli.log"
    "$kefu" agent add --tenant "$slug" --name "Ann Agent" --email "ann@$slug.test" --role agent --tier mid --skills billing \
        >/dev/null 2>>"$results/cli.log"
done

# --- 3. bulk load -------------------------------------------------------------------------------
log "bulk-loading $TICKETS open tickets over $TENANTS + 2 tenants, 4 future timers each"
start=$(now_ns)
psql_owner -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "SELECT pg_reload_conf()" >/dev/null
psql_owner -v tenants="$TENANTS" -v tickets="$TICKETS" -f "$here/bulk-load.sql"
load_ms=$(ms_since "$start")
start=$(now_ns)
psql_owner -f "$here/after-load.sql" >/dev/null
vacuum_ms=$(ms_since "$start")
psql_values -c "SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM tickets) AS tickets,
                       (SELECT count(*) FROM ticket_timers WHERE done_at IS NULL) AS pending_timers,
                       (SELECT count(*) FROM ticket_timers WHERE done_at IS NULL AND due_at <= now()) AS due_timers,
                       pg_size_pretty(pg_total_relation_size('tickets')) AS tickets_size,
                       pg_size_pretty(pg_total_relation_size('ticket_timers')) AS timers_size" >"$results/loaded.txt"
log "loaded in $((load_ms / 1000)) s, vacuum/analyze/checkpoint $((vacuum_ms / 1000)) s: $(tr '\n' ' ' <"$results/loaded.txt")"

# --- 4. a sweep with nothing due ----------------------------------------------------------------
log "claim query with nothing due: EXPLAIN ANALYZE (auto_explain shows the statement inside the function)"
psql_owner -f "$here/explain-claim.sql" >"$results/explain-claim.txt" 2>&1
explain_ms=$(sed -n 's/^ *Execution Time: \([0-9.]*\) ms.*/\1/p' "$results/explain-claim.txt" | tail -1)
# JIT compilation inside the function's statement (its generic plan's cost estimate can pass jit_above_cost).
claim_jit_ms=$(sed -n 's/^ *Timing: .*Total \([0-9.]*\) ms.*/\1/p' "$results/explain-claim.txt" | head -1)
claim_jit_ms=${claim_jit_ms:-0}
sed -n '/duration:/,$p' "$results/explain-claim.txt" | sed 's/^/    /' >&2

log "claim query with nothing due: pgbench, $CLAIMS calls as kefu_worker (1 client, after 20 warm-up calls)"
pgbench -n -f "$here/claim.sql" -t 20 "$worker_url" >/dev/null 2>&1
(cd "$results" && pgbench -n -f "$here/claim.sql" -t "$CLAIMS" -l --log-prefix=claim "$worker_url" >pgbench-claim.txt 2>&1)
read -r claim_n _ claim_p50 claim_p99 claim_max claim_mean < <(cat "$results"/claim.* | awk '{ printf "%.3f\n", $3 / 1000 }' | sort -n | awk -f "$here/stats.awk")
# The claim function carries its own settings (sql/004: jit = off); pgbench above used them.
claim_settings=$(psql "$owner_url" -X -A -t -c "SELECT array_to_string(proconfig, ' ') FROM pg_proc WHERE proname = 'kefu_claim_due_timers'")
log "kefu_claim_due_timers settings: $claim_settings"

log "whole process: kefu worker --once --json, $SWEEPS runs (and kefu migrate with nothing pending, the fixed part)"
: >"$results/sweep-ms.txt"
: >"$results/migrate-ms.txt"
for i in $(seq 1 "$SWEEPS"); do
    start=$(now_ns)
    "$kefu" worker --once --json >"$results/sweep-$i.json" 2>>"$results/cli.log"
    echo "$(ms_since "$start")" >>"$results/sweep-ms.txt"
    if ! grep -q '"claimed" *: *0' "$results/sweep-$i.json"; then
        log "sweep $i claimed something: $(tr -d '\n ' <"$results/sweep-$i.json")"; exit 1
    fi
    start=$(now_ns)
    "$kefu" migrate >/dev/null 2>>"$results/cli.log"
    echo "$(ms_since "$start")" >>"$results/migrate-ms.txt"
done
read -r _ _ sweep_p50 _ sweep_max _ < <(sort -n "$results/sweep-ms.txt" | awk -f "$here/stats.awk")
read -r _ _ migrate_p50 _ _ _ < <(sort -n "$results/migrate-ms.txt" | awk -f "$here/stats.awk")

# --- 5. 10,000 due actions, two workers -----------------------------------------------------------
log "choosing $DUE tickets; starting 2 workers (--interval 0.2)"
psql_owner -v due="$DUE" -f "$here/prepare-due.sql"
for w in 1 2; do
    "$kefu" worker --interval 0.2 >"$results/worker-$w.out" 2>"$results/worker-$w.log" &
    pids+=($!)
done
for waited in $(seq 1 300); do
    ready=0
    for w in 1 2; do grep -q "worker started" "$results/worker-$w.log" 2>/dev/null && ready=$((ready + 1)); done
    [[ $ready == 2 ]] && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { log "a worker died at start"; cat "$results"/worker-*.log >&2; exit 1; }; done
    sleep 0.1
done
[[ $ready == 2 ]] || { log "workers did not start"; exit 1; }
postmaster=$(head -1 "$KEFU_HOME/pgdata/postmaster.pid")
backends() { pgrep -P "$postmaster" | tr '\n' ' '; }
psql_values -f "$here/counts.sql" >"$results/counts-before.txt"
cpu_workers_before=$(cpu_seconds "${pids[@]}")
cpu_pg_before=$(cpu_seconds "$postmaster" $(backends))
busy_before=$(machine_busy)

log "making $DUE first-response clocks overdue; polling every 100 ms until none is due"
start=$(now_ns)
IFS='|' read -r _ wal_records_at_commit wal_fpi_at_commit wal_bytes_at_commit < <(psql "$owner_url" -X -q -A -t -v ON_ERROR_STOP=1 -f "$here/make-due.sql")
t0=$(now_ns)
left=$DUE
while :; do
    left=$(psql "$owner_url" -X -A -t -f "$here/remaining.sql")
    [[ $left == 0 ]] && break
    if (( ($(now_ns) - t0) / 1000000000 >= TIMEOUT )); then log "timeout: $left timers still due"; break; fi
    sleep 0.1
done
drain_ms=$(ms_since "$t0")
cpu_workers_after=$(cpu_seconds "${pids[@]}")
cpu_pg_after=$(cpu_seconds "$postmaster" $(backends))
busy_after=$(machine_busy)
log "drained in $drain_ms ms (make-due transaction took $(( (t0 - start) / 1000000 )) ms before that), $left left"
sleep 0.5   # let the last sweep's log lines land

psql_values -f "$here/counts.sql" >"$results/counts-after.txt"
psql_values -f "$here/verify.sql" >"$results/verify.txt"

log "stopping the workers with SIGTERM"
worker_status=()
for pid in "${pids[@]}"; do
    kill -TERM "$pid"
    for waited in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    status=0
    wait "$pid" || status=$?
    worker_status+=("$status")
done
pids=()

# --- 6. diagnostics: where an action's time goes -------------------------------------------------
psql_values -v n=50 -f "$here/diag-due.sql" >"$results/diag.txt"
if [[ $OLD_DIAG == 1 ]]; then
log "diagnostics (old design): EXPLAIN ANALYZE of each statement of one per-timer escalation (rolled back; warm session)"
# Twice in one session (the transaction rolls back): the first pass warms the session's catalog
# caches as a pooled worker connection has them; the second pass is the one summarised.
psql_owner -v tid="$(value tenant_id "$results/diag.txt")" -v kid="$(value ticket_id "$results/diag.txt")" \
    -f "$here/diagnose-action.sql" -f "$here/diagnose-action.sql" >"$results/diagnose-action.txt" 2>&1
awk '/^## 1 / { pass++ } pass == 2' "$results/diagnose-action.txt" | grep -E '^## |Planning Time|Execution Time|^ *Trigger' >"$results/diagnose-summary.txt" || true
sed 's/^/    /' "$results/diagnose-summary.txt" >&2
fi

log "diagnostics: statements per action as the server saw them (log_statement for kefu_worker, one --once sweep of 50)"
server_log="$KEFU_HOME/pgdata/server.log"
psql_owner -c "ALTER ROLE kefu_worker SET log_statement = 'all'"
offset=$(stat -c %s "$server_log")
"$kefu" worker --once --json >"$results/diag-sweep.json" 2>>"$results/cli.log"
psql_owner -c "ALTER ROLE kefu_worker RESET log_statement"
tail -c +"$((offset + 1))" "$server_log" >"$results/diag-statements.log"
diag_performed=$(grep -o '"performed" *: *[0-9]*' "$results/diag-sweep.json" | grep -o '[0-9]*$')
awk -v actions="$diag_performed" -f "$here/statements.awk" "$results/diag-statements.log" >"$results/statements.txt"
sed 's/^/    /' "$results/statements.txt" >&2
per_action=$(sed -n 's/^per action: \([0-9.]*\).*/\1/p' "$results/statements.txt")

log "diagnostics: where the worker process spends its CPU (perf, one kefu worker --once over 2,000 escalations)"
psql_owner -v n=2000 -f "$here/replay-setup.sql" >/dev/null
perf_rate=-
if command -v perf >/dev/null; then
    start=$(now_ns)
    perf record -q -e cpu-clock -F 1999 -o "$results/worker.perf" -- "$kefu" worker --once --json >"$results/perf-sweep.json" 2>>"$results/cli.log"
    perf_ms=$(ms_since "$start")
    perf_performed=$(grep -o '"performed" *: *[0-9]*' "$results/perf-sweep.json" | grep -o '[0-9]*$')
    perf_rate=$(awk -v n="$perf_performed" -v ms="$perf_ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
    perf report -i "$results/worker.perf" --stdio --no-children --sort dso -q 2>/dev/null >"$results/perf-dso-all.txt" || true
    head -8 "$results/perf-dso-all.txt" >"$results/perf-dso.txt"
    perf report -i "$results/worker.perf" --stdio --no-children --sort dso,sym -q 2>/dev/null >"$results/perf-sym-all.txt" || true
    head -25 "$results/perf-sym-all.txt" | { swift demangle --simplified 2>/dev/null || cat; } | cut -c1-160 >"$results/perf-sym.txt"
    log "one worker alone (under perf): $perf_performed escalations in $perf_ms ms = $perf_rate/s; CPU by library, then top symbols:"
    sed 's/^/    /' "$results/perf-dso.txt" "$results/perf-sym.txt" >&2
else
    log "perf not installed: skipped"
fi

r11_tps=- r11_cpu=- r11c4_tps=- r11c4_cpu=- r11a_tps=- r11a_cpu=- r2_tps=- r2_cpu=- r2c4_tps=- r2c4_cpu=-
whatif_done=- whatif_ms=- whatif_rate=- whatif_cpu_action=-
if [[ $OLD_DIAG == 1 ]]; then
log "diagnostics (old design): the same escalations replayed by pgbench (no Swift): as the worker sent them, and in 2 round trips"
psql_owner -v n=15000 -f "$here/replay-setup.sql" >/dev/null
# replay NAME SCRIPT CLIENTS: 3,000 escalations -> results/replay-NAME.txt:
# "tps latency_ms pg_cpu_ms_per_action machine_busy_core_s"
replay() {
    local name=$1 script=$2 clients=$3 pg0 busy0
    pg0=$(cpu_seconds "$postmaster" $(backends)); busy0=$(machine_busy)
    pgbench -n -M simple -r -c "$clients" -j "$clients" -t $((3000 / clients)) -f "$here/$script" "$app_url" \
        >"$results/pgbench-$name.txt" 2>&1 || { cat "$results/pgbench-$name.txt" >&2; exit 1; }
    awk -v tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$results/pgbench-$name.txt")" \
        -v lat="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$results/pgbench-$name.txt")" \
        -v pg="$(minus "$(cpu_seconds "$postmaster" $(backends))" "$pg0")" -v busy="$(minus "$(machine_busy)" "$busy0")" \
        'BEGIN { printf "%.0f %.2f %.2f %.1f\n", tps, lat, pg * 1000 / 3000, busy }' >"$results/replay-$name.txt"
}
replay as-sent-c2 action-replay.sql 2
replay as-sent-c4 action-replay.sql 4
PGOPTIONS='-c synchronous_commit=off' replay as-sent-async-c2 action-replay.sql 2
replay two-trips-c2 action-two-trips.sql 2
replay two-trips-c4 action-two-trips.sql 4
read -r r11_tps r11_lat r11_cpu r11_busy <"$results/replay-as-sent-c2.txt"
read -r r11c4_tps r11c4_lat r11c4_cpu r11c4_busy <"$results/replay-as-sent-c4.txt"
read -r r11a_tps r11a_lat r11a_cpu r11a_busy <"$results/replay-as-sent-async-c2.txt"
read -r r2_tps r2_lat r2_cpu r2_busy <"$results/replay-two-trips-c2.txt"
read -r r2c4_tps r2c4_lat r2c4_cpu r2c4_busy <"$results/replay-two-trips-c4.txt"
log "per-statement latency, as sent (2 clients):"
sed -n '/statement latencies/,$p' "$results/pgbench-as-sent-c2.txt" | cut -c1-150 | sed 's/^/    /' >&2
psql_values -c "SELECT count(*) FILTER (WHERE r.n <= (SELECT last_value FROM wb_replay_seq)) AS replayed,
                       (SELECT count(*) FROM ticket_sla_breaches b JOIN wb_replay r USING (tenant_id, ticket_id)) AS breaches,
                       (SELECT count(*) FROM ticket_timers tt JOIN wb_replay r USING (tenant_id, ticket_id)
                         WHERE tt.kind = 'sla:first_response' AND tt.done_at IS NOT NULL) AS timers_done
                FROM wb_replay r" >"$results/replay-check.txt"
log "replay check: $(tr '\n' ' ' <"$results/replay-check.txt")"

log "what-if (not Kefu code): the same escalation set-based, 200 timers per statement, 2 clients, $DUE timers"
psql_owner -v n="$DUE" -f "$here/replay-setup.sql" >/dev/null
psql_owner -f "$here/whatif-batch-function.sql" >/dev/null
pg0=$(cpu_seconds "$postmaster" $(backends))
start=$(now_ns)
pgbench -n -c 2 -j 2 -t $(( (DUE + 399) / 400 )) -f "$here/whatif-batch-call.sql" "$app_url" >"$results/pgbench-whatif.txt" 2>&1 || {
    cat "$results/pgbench-whatif.txt" >&2; exit 1; }
whatif_ms=$(ms_since "$start")
whatif_cpu=$(minus "$(cpu_seconds "$postmaster" $(backends))" "$pg0")
psql_values -c "SELECT (SELECT count(*) FROM ticket_sla_breaches b JOIN wb_replay r USING (tenant_id, ticket_id)) AS breaches,
                       (SELECT count(*) FROM notifications n JOIN wb_replay r USING (tenant_id, ticket_id)) AS notifications,
                       (SELECT count(*) FROM ticket_timers WHERE done_at IS NULL AND due_at <= now()) AS still_due" >"$results/whatif-check.txt"
whatif_done=$(value breaches "$results/whatif-check.txt")
whatif_rate=$(awk -v n="$whatif_done" -v ms="$whatif_ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
whatif_cpu_action=$(awk -v c="$whatif_cpu" -v n="$whatif_done" 'BEGIN { printf "%.3f", n ? c * 1000 / n : 0 }')
log "what-if check: $(tr '\n' ' ' <"$results/whatif-check.txt")"
fi

# --- 7. report ------------------------------------------------------------------------------------
breaches=$(value breaches "$results/verify.txt")
notifications=$(value notifications "$results/verify.txt")
expected_notifications=$(value expected_notifications "$results/verify.txt")
delta() { echo $(( $(value "$1" "$results/counts-after.txt") - $(value "$1" "$results/counts-before.txt") )); }
rate=$(awk -v n="$DUE" -v ms="$drain_ms" -v left="$left" 'BEGIN { printf "%.0f", (n - left) / (ms / 1000) }')
db_rate=$(awk -v n="$DUE" -v a="$(value first_claim_epoch "$results/verify.txt")" -v b="$(value last_done_epoch "$results/verify.txt")" \
    'BEGIN { printf "%.0f", n / (b - a) }')
db_span=$(awk -v a="$(value first_claim_epoch "$results/verify.txt")" -v b="$(value last_done_epoch "$results/verify.txt")" \
    'BEGIN { printf "%.2f", b - a }')
cpu_w=$(minus "$cpu_workers_after" "$cpu_workers_before")
cpu_pg=$(minus "$cpu_pg_after" "$cpu_pg_before")
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "le") ? (v <= t) : (v >= t); print ok ? "ok" : "MISSED" }'; }
same() { [[ "$1" == "$2" ]] && echo ok || echo MISSED; }

{
    printf 'claim query, nothing due, p50 (pgbench, %s calls, kefu_worker)\t%s ms\t<= 10 ms\t%s\n' "$CLAIMS" "$claim_p50" "$(verdict "$claim_p50" le 10)"
    printf 'claim query, nothing due, p99\t%s ms\t<= 10 ms\t%s\n' "$claim_p99" "$(verdict "$claim_p99" le 10)"
    printf 'claim query, EXPLAIN ANALYZE execution\t%s ms\t<= 10 ms\t%s\n' "$explain_ms" "$(verdict "$explain_ms" le 10)"
    printf '  of which JIT compilation (auto_explain)\t%s ms\t-\t-\n' "$claim_jit_ms"
    printf '  claim function settings (jit must be off)\t%s\tjit=off\t%s\n' "$claim_settings" "$([[ $claim_settings == *jit=off* ]] && echo ok || echo MISSED)"
    printf 'kefu worker --once (whole process), p50 of %s\t%s ms\t(not the target)\t-\n' "$SWEEPS" "$sweep_p50"
    printf '  of which start-up + migration check (kefu migrate), p50\t%s ms\t-\t-\n' "$migrate_p50"
    printf '%s due actions, 2 workers, poll wall time\t%s ms\t<= %s ms\t%s\n' "$DUE" "$drain_ms" "$((DUE * 1000 / 2000))" "$(verdict "$rate" ge 2000)"
    printf '%s due actions, 2 workers (poll, 100 ms)\t%s/s\t>= 2000/s\t%s\n' "$DUE" "$rate" "$(verdict "$rate" ge 2000)"
    printf '  same, database timestamps (first claim -> last done, %s s)\t%s/s\t>= 2000/s\t%s\n' "$db_span" "$db_rate" "$(verdict "$db_rate" ge 2000)"
    printf 'breaches recorded (new rows in total)\t%s (%s)\t%s\t%s\n' "$breaches" "$(delta breaches)" "$DUE" "$(same "$breaches/$(delta breaches)" "$DUE/$DUE")"
    printf 'notifications (1 per on-duty supervisor per breach)\t%s (%s)\t%s\t%s\n' "$notifications" "$(delta notifications)" "$expected_notifications" \
        "$(same "$notifications/$(delta notifications)/$(value duplicate_notifications "$results/verify.txt")" "$expected_notifications/$expected_notifications/0")"
    printf 'sla_escalated events\t%s\t%s\t%s\n' "$(value escalated_events "$results/verify.txt")" "$DUE" "$(same "$(value escalated_events "$results/verify.txt")/$(delta escalated_events)" "$DUE/$DUE")"
    printf 'timers done / failed\t%s / %s\t%s / 0\t%s\n' "$(value timers_done "$results/verify.txt")" "$(value timers_failed "$results/verify.txt")" "$DUE" \
        "$(same "$(value timers_done "$results/verify.txt")/$(value timers_failed "$results/verify.txt")" "$DUE/0")"
    printf '  timers skipped by fire(), redone after the 60 s lease\t%s\t0\t%s\n' "$(value timers_claimed_twice "$results/verify.txt")" \
        "$(same "$(value timers_claimed_twice "$results/verify.txt")" 0)"
    printf 'workers exit status after SIGTERM\t%s\t0 0\t%s\n' "${worker_status[*]}" "$(same "${worker_status[*]}" "0 0")"
    printf 'diag: CPU per action, worker processes / PostgreSQL\t%s / %s ms\t-\t-\n' \
        "$(awk -v c="$cpu_w" -v n="$DUE" 'BEGIN { printf "%.2f", c * 1000 / n }')" "$(awk -v c="$cpu_pg" -v n="$DUE" 'BEGIN { printf "%.2f", c * 1000 / n }')"
    printf 'diag: machine busy during the run, all processes / ours\t%s / %s core-s\t(of %s core-s)\t-\n' \
        "$(minus "$busy_after" "$busy_before")" "$(awk -v a="$cpu_w" -v b="$cpu_pg" 'BEGIN { printf "%.1f", a + b }')" \
        "$(awk -v ms="$drain_ms" -v c="$(nproc)" 'BEGIN { printf "%.1f", ms / 1000 * c }')"
    printf 'diag: statements (round trips) per action, server log\t%s\t-\t-\n' "$per_action"
    printf 'diag: WAL per action: records / full-page images / bytes\t%s / %s / %s\t-\t-\n' \
        "$(awk -v a="$(value wal_records "$results/counts-after.txt")" -v b="$wal_records_at_commit" -v n="$DUE" 'BEGIN { printf "%.1f", (a - b) / n }')" \
        "$(awk -v a="$(value wal_fpi "$results/counts-after.txt")" -v b="$wal_fpi_at_commit" -v n="$DUE" 'BEGIN { printf "%.1f", (a - b) / n }')" \
        "$(awk -v a="$(value wal_bytes "$results/counts-after.txt")" -v b="$wal_bytes_at_commit" -v n="$DUE" 'BEGIN { printf "%.0f", (a - b) / n }')"
    printf 'diag: one worker alone under perf, 2000 escalations\t%s/s\t-\t-\n' "$perf_rate"
    if [[ $OLD_DIAG == 1 ]]; then
        printf 'diag: pgbench replay as sent (11 trips), 2 clients\t%s/s, PG %s ms CPU/action\t-\t-\n' "$r11_tps" "$r11_cpu"
        printf 'diag: pgbench replay as sent (11 trips), 4 clients\t%s/s, PG %s ms CPU/action\t-\t-\n' "$r11c4_tps" "$r11c4_cpu"
        printf 'diag: pgbench replay as sent, synchronous_commit off, 2 clients\t%s/s, PG %s ms CPU/action\t-\t-\n' "$r11a_tps" "$r11a_cpu"
        printf 'diag: pgbench replay in 2 trips, 2 clients\t%s/s, PG %s ms CPU/action\t-\t-\n' "$r2_tps" "$r2_cpu"
        printf 'diag: pgbench replay in 2 trips, 4 clients\t%s/s, PG %s ms CPU/action\t-\t-\n' "$r2c4_tps" "$r2c4_cpu"
        printf 'what-if: set-based, 200 per statement, 2 clients (%s breaches, %s ms)\t%s/s, PG %s ms CPU/action\t>= 2000/s\t-\n' \
            "$whatif_done" "$whatif_ms" "$whatif_rate" "$whatif_cpu_action"
    fi
} >"$results/table.tsv"

echo
echo "Worker benchmark: $(value tickets "$results/loaded.txt") open tickets over $(value tenants "$results/loaded.txt") tenants," \
     "$(value pending_timers "$results/loaded.txt") pending timers (tickets $(value tickets_size "$results/loaded.txt"), timers $(value timers_size "$results/loaded.txt"))," \
     "durable cluster, $(nproc) cores; load average before the run: $load_at_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -f "$here/report.awk" "$results/table.tsv"
echo
echo "Claims per process with nothing due: $(tr -d ' \n' <"$results/sweep-1.json")"
echo "Worker sweeps that claimed work (performed/skipped per sweep):"
grep -h '\] sweep$' "$results/worker-1.log" "$results/worker-2.log" | sed 's/^/  /' || true
