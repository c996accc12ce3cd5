# Sourced by the .ci scripts: the debug kefu binary, a fresh KEFU_HOME with a migrated embedded
# cluster, one tenant with its admin key, and cleanup at exit (the processes in PIDS, the
# cluster, the folder).
#   in:  CLUSTER_NAME (temp folder prefix), TENANT_SLUG
#   out: KEFU, WORK, PIDS, OWNER_URL, PORT (free for a server), KEY (the tenant admin's API key),
#        wait_ready (waits up to 10 s for the server on PORT to answer /readyz)
KEFU="$(swift build --show-bin-path)/kefu"
WORK="$(mktemp -d "/tmp/kefu-${CLUSTER_NAME}.XXXXXX")"
chmod 755 "$WORK"
export KEFU_HOME="$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "$KEFU" db stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

"$KEFU" db start >/dev/null
OWNER_URL="$("$KEFU" db url)"
PORT=$((20000 + RANDOM % 20000))
DATABASE_URL="$OWNER_URL" "$KEFU" migrate >/dev/null
KEY="$(DATABASE_URL="$OWNER_URL" "$KEFU" tenant create --slug "$TENANT_SLUG" --name "$TENANT_SLUG" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')"

wait_ready() {
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
