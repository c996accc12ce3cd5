#!/usr/bin/env bash
# The customer's survey page in a real browser: `kefu serve` on a fresh embedded cluster, then
# .ci/survey-browser.py drives Debian's chromium (headless, chromium-driver) with selenium.
#   bash .ci/survey-browser.sh      (needs: apt chromium chromium-driver, pip selenium; .ci/run installs them)
set -euo pipefail
cd "$(dirname "$0")/.."

export KEFU_LOG_LEVEL=error
# selenium uses the chromium-driver given to it; it must never try to download a driver.
export SE_OFFLINE=true
CLUSTER_NAME=browser TENANT_SLUG=browser
source .ci/lib/kefu-cluster.sh
KEFU_HTTP_PORT="$PORT" "$KEFU" serve >"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_ready

if ! python3 .ci/survey-browser.py "http://127.0.0.1:$PORT" "$KEY"; then
    echo "server log:"
    tail -n 40 "$WORK/api.log"
    exit 1
fi
