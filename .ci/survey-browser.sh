#!/usr/bin/env bash
# The survey round trip of issue 15: `kefu serve` and `kefu worker` on a fresh embedded cluster,
# mailing through a real SMTP server (aiosmtpd, Tests/smtp-server/smtp_server.py); then
# .ci/survey-browser.py reads the invitation mail, drives Debian's chromium (headless,
# chromium-driver) with selenium, and posts the customer's reply to the inbound address.
#   bash .ci/survey-browser.sh      (needs: apt chromium chromium-driver, pip selenium aiosmtpd; .ci/run installs them)
set -euo pipefail
cd "$(dirname "$0")/.."

export KEFU_LOG_LEVEL=error
# selenium uses the chromium-driver given to it; it must never try to download a driver.
export SE_OFFLINE=true
CLUSTER_NAME=browser TENANT_SLUG=browser
source .ci/lib/kefu-cluster.sh

MAIL_DIR="$WORK/mail"
mkdir -p "$MAIL_DIR"
python3 Tests/smtp-server/smtp_server.py --dir "$MAIL_DIR" >"$WORK/smtp.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q '^PORT ' "$WORK/smtp.out" 2>/dev/null && break; sleep 0.1; done
SMTP_PORT="$(awk '/^PORT /{print $2}' "$WORK/smtp.out")"

export KEFU_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" KEFU_SMTP_FROM="support@browser.test"
export KEFU_SECRET_KEY="survey-round-trip-key-0123456789abcdef" KEFU_PUBLIC_URL="http://127.0.0.1:$PORT"
KEFU_HTTP_PORT="$PORT" "$KEFU" serve >"$WORK/api.log" 2>&1 &
PIDS+=($!)
KEFU_WORKER_DATABASE_URL="$("$KEFU" db url --worker)" "$KEFU" worker --interval 0.2 >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
wait_ready

if ! python3 .ci/survey-browser.py "http://127.0.0.1:$PORT" "$KEY" "$MAIL_DIR"; then
    echo "server log:"
    tail -n 40 "$WORK/api.log"
    echo "worker log:"
    tail -n 40 "$WORK/worker.log"
    exit 1
fi
