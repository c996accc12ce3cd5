#!/usr/bin/env bash
# Every benchmark once at tiny sizes (seconds each), on the debug build, so that none of them rots:
# the figures mean nothing, only that each script still runs to its report. .ci/run runs this.
#   Benchmarks/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export KEFU_BIN="$(swift build --show-bin-path)/kefu"
[[ -x $KEFU_BIN ]] || swift build --product kefu
log="$(mktemp -d /tmp/kefu-bench-smoke.XXXXXX)"
trap 'rm -rf "$log"' EXIT

run() {
    local name=$1
    shift
    local start=$SECONDS
    if "$@" >"$log/$name.log" 2>&1; then
        echo "benchmark smoke $name: ok ($((SECONDS - start)) s)"
    else
        echo "benchmark smoke $name: FAILED"
        tail -n 30 "$log/$name.log"
        exit 1
    fi
}

# kefu-bench exits 1 for a missed target: in a smoke run (debug build, 1 s, a busy machine) only
# its report matters, so 1 passes and 2 (an error) fails.
run db bash -c 'BENCH_CONFIGURATION=debug bash Benchmarks/run-db-bench.sh --seconds 1 --clients 1,2 --rounds 1 || [ $? -eq 1 ]'
run intake env INTAKE_SECONDS=1 LIST_SECONDS=1 INTAKE_TENANTS=2 AGENTS_PER_TENANT=1 SMALL_TENANTS=5 \
    SMALL_TICKETS=10 BIG_TENANT_TICKETS=0 QUIET_WAIT=0 bash Benchmarks/intake/run.sh
run worker env WB_TICKETS=2000 WB_TENANTS=10 WB_DUE=200 WB_SWEEPS=2 WB_TIMEOUT=60 bash Benchmarks/worker/run.sh
run surge env SB_LATENCY_TENANTS=2 SB_TENANTS=20 SB_SWEEPS=1 SB_GAP=0.5 bash Benchmarks/surge/run.sh
run reports env RB_BIG=2000 RB_MID=500 RB_TENANTS=10 RB_OTHER=100 RB_REQUESTS=5 bash Benchmarks/reports/run.sh
run deliveries env DB_SECONDS=2 DB_RATE=5 DB_SLOW_HOLD=1 bash Benchmarks/deliveries/run.sh
run capacity env CAP_INTAKES=20 CAP_LIVES=5 CAP_CLIENTS=2 bash Benchmarks/capacity/run.sh
run soak env SOAK_MINUTES=1 SOAK_WARMUP_MINUTES=0 SOAK_RSS_LIMIT=1000 SOAK_TENANTS=20 SOAK_TICKETS=2000 SOAK_CLIENTS=2 \
    SOAK_SURGE_TICKETS=10 SOAK_PROBE_QUEUES=20 SOAK_PROBE_REPORTS=10 bash Benchmarks/soak/run.sh
run stream env SB_STREAMS=50 SB_INTAKES=3 SB_GAP=0.1 bash Benchmarks/stream/run.sh
