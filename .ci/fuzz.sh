#!/usr/bin/env bash
# API fuzzing: schemathesis against the served /openapi.yaml with an admin key, every operation,
# every check, the stateful phase included. Any server error, any response the document does not
# describe, or any other finding fails the run.
#   bash .ci/fuzz.sh            (KEFU_FUZZ_EXAMPLES per operation, default 10; KEFU_FUZZ_SECONDS cap)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis

export KEFU_LOG_LEVEL=error
CLUSTER_NAME=fuzz TENANT_SLUG=fuzz
source .ci/lib/kefu-cluster.sh
KEFU_HTTP_PORT="$PORT" "$KEFU" serve >"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_ready

set +e
timeout "${KEFU_FUZZ_SECONDS:-900}" schemathesis --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/openapi.yaml" \
    --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Bearer $KEY" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${KEFU_FUZZ_EXAMPLES:-10}" \
    --seed "${KEFU_FUZZ_SEED:-20261204}" \
    --workers 1 \
    --request-timeout 10 \
    --suppress-health-check all \
    --no-color \
    --output-truncate true
status=$?
set -e
if grep -q '"level":"error"\|unexpected error' "$WORK/api.log"; then
    echo "server logged unexpected errors during fuzzing:"
    grep 'unexpected error' "$WORK/api.log" | head -n 20
    status=1
fi
exit "$status"
