# Sourced by the benchmarks that need a private cluster (surge, worker, reports): builds kefu in
# release mode (--scratch-path ${BENCH_SCRATCH:-.build-bench-http}; SKIP_BUILD=1 uses the binary
# already there; KEFU_BIN=PATH uses that binary, as the smoke runs do), copies the binary and sql/ into a fresh KEFU_HOME (the tree may change
# meanwhile), starts a private durable cluster there (embedded defaults: fsync and
# synchronous_commit on) and migrates it. Everything started is stopped and KEFU_HOME deleted at
# exit.
#   in:  root, log(), BENCH_NAME (temp folder prefix), KEEP_RESULTS (copy $results there at exit;
#        may be empty), optional before_cleanup() (run first at exit, e.g. to hold the cluster)
#   out: kefu, KEFU_HOME, results, pids (processes to stop at exit), stop_pid, owner_url,
#        app_url, worker_url, psql_owner, psql_at, load_before
# --- 1. build -----------------------------------------------------------------------------------
scratch=${BENCH_SCRATCH:-.build-bench-http}
if [[ -n ${KEFU_BIN:-} ]]; then
    log "KEFU_BIN: using $KEFU_BIN (smoke runs use the debug build)"
    kefu=$KEFU_BIN
elif [[ ${SKIP_BUILD:-0} == 1 ]]; then
    log "SKIP_BUILD=1: using the kefu binary already in $scratch"
    kefu="$(swift build -c release --product kefu --scratch-path "$scratch" --show-bin-path)/kefu"
else
    log "building kefu (release, $scratch)"
    # The tree may be edited while we build ("input file … was modified during the build"): retry.
    for attempt in 1 2 3 4 5; do
        swift build -c release --product kefu --scratch-path "$scratch" >&2 && break
        [[ $attempt == 5 ]] && { log "build failed"; exit 1; }
        log "build failed (attempt $attempt), retrying in 15 s"; sleep 15
    done
    kefu="$(swift build -c release --product kefu --scratch-path "$scratch" --show-bin-path)/kefu"
fi
[[ -x $kefu ]] || { log "no kefu binary at $kefu"; exit 1; }

# --- 2. private durable cluster -----------------------------------------------------------------
unset DATABASE_URL KEFU_APP_DATABASE_URL
KEFU_HOME=$(mktemp -d "/tmp/kefu-${BENCH_NAME:-bench}.XXXXXX")
export KEFU_HOME
chmod 755 "$KEFU_HOME"
results="$KEFU_HOME/results"
mkdir -p "$results"
pids=()

stop_pid() {
    local pid=$1 waited
    kill -TERM "$pid" 2>/dev/null || return 0
    for waited in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    set +e
    if declare -F before_cleanup >/dev/null; then before_cleanup; fi
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    "$kefu" db stop >/dev/null 2>&1 || true
    if [[ -f $KEFU_HOME/pgdata/postmaster.pid ]]; then
        runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$KEFU_HOME/pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n ${KEEP_RESULTS:-} ]]; then rm -rf "$KEEP_RESULTS"; cp -r "$results" "$KEEP_RESULTS"; fi
    rm -rf "$KEFU_HOME"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cp "$kefu" "$KEFU_HOME/kefu"
kefu="$KEFU_HOME/kefu"
cp -r "$root/sql" "$KEFU_HOME/sql"
export KEFU_SQL_DIR="$KEFU_HOME/sql"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "starting a private cluster in $KEFU_HOME (load average $load_before)"
"$kefu" db start >/dev/null 2>"$results/cli.log"
"$kefu" migrate >/dev/null 2>>"$results/cli.log"
owner_url=$("$kefu" db url 2>>"$results/cli.log")
app_url=$("$kefu" db url --app 2>>"$results/cli.log")
[[ $app_url == postgres://kefu_app@* ]] || { log "unexpected application URL: $app_url"; exit 1; }
worker_url=$("$kefu" db url --worker 2>>"$results/cli.log")
psql_owner() { psql "$owner_url" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_at() { psql "$owner_url" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# `kefu serve` on a free loopback port and WORKERS `kefu worker --interval 1`, waiting (up to
# 30 s) for /readyz.   in: WORKERS   out: base (the API's URL), serve_pid
start_api_and_workers() {
    local port w
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base="http://127.0.0.1:$port"
    log "starting kefu serve on $base and $1 worker(s)"
    KEFU_HTTP_HOST=127.0.0.1 KEFU_HTTP_PORT=$port "$kefu" serve >"$results/serve.log" 2>&1 &
    serve_pid=$!
    pids+=($serve_pid)
    for w in $(seq 1 "$1"); do
        "$kefu" worker --interval 1 >"$results/worker-$w.out" 2>"$results/worker-$w.log" &
        pids+=($!)
    done
    for _ in $(seq 1 150); do curl -fsS "$base/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
    log "kefu serve not ready: $(tail -5 "$results/serve.log")"
    exit 1
}
