#!/usr/bin/env bash
# The docker-compose topology without containers: one cluster, a one-shot migration, the API and
# two workers as separate processes, the API holding only the application role's URL and the
# workers only the worker role's. A chat ticket whose 1-second first-reply clock runs out must be escalated exactly once.
set -euo pipefail
cd "$(dirname "$0")/.."

export KEFU_LOG_LEVEL=warning
CLUSTER_NAME=topology TENANT_SLUG=topology
source .ci/lib/kefu-cluster.sh
APP_URL="$("$KEFU" db url --app)"
WORKER_URL="$("$KEFU" db url --worker)"

DATABASE_URL="$OWNER_URL" "$KEFU" agent add --tenant topology --name Sup --email sup@topology.test --role supervisor >/dev/null

env -u DATABASE_URL KEFU_APP_DATABASE_URL="$APP_URL" KEFU_HTTP_PORT="$PORT" "$KEFU" serve >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for replica in 1 2; do
    env -u DATABASE_URL KEFU_WORKER_DATABASE_URL="$WORKER_URL" "$KEFU" worker --interval 0.2 >"$WORK/worker$replica.log" 2>&1 &
    PIDS+=($!)
done

wait_ready

api() { curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
api -X PATCH "http://127.0.0.1:$PORT/v1/settings" \
    -d '{"settings": {"always_open_channels": ["chat"], "sla": {"chat_first_response_seconds": 1}}}' >/dev/null
api -X POST "http://127.0.0.1:$PORT/v1/tickets" -H 'Idempotency-Key: topology-1' \
    -d '{"customer": {"name": "Topology"}, "channel": "chat", "category": "inquiry", "description": "Is anyone there?"}' >/dev/null

query() { psql "$OWNER_URL" -tAc "$1"; }
for _ in $(seq 1 100); do
    [ "$(query "SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'channel_response'")" = "1" ] && break
    sleep 0.1
done
sleep 1   # give a double escalation the chance to happen, if it could
BREACHES="$(query "SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'channel_response'")"
ESCALATIONS="$(query "SELECT count(*) FROM notifications WHERE kind = 'sla_breach'")"

# Phase 2: a worker kill -9ed in the middle of a batch. The two workers stop; tickets pile up
# whose 1-second clocks all run out. Worker A (3-second leases) claims them and writes their
# escalations, but its batches wait on a lock an operator session holds on the supervisor's row
# (as a key change would); A is killed -9 there. Its sessions end (the worker role checks for a
# vanished client every 100 ms), nothing of its batches stays, and worker B takes the timers
# over after their lease. Every ticket must be escalated exactly once.
STATUS=0
API_PID="${PIDS[0]}"
for pid in "${PIDS[@]:1}"; do
    kill -TERM "$pid"
    wait "$pid" || STATUS=$?
done
PIDS=("$API_PID")
query "ALTER ROLE kefu_worker SET client_connection_check_interval = '100ms'" >/dev/null
PILE=600
for n in $(seq 1 "$PILE"); do
    api -X POST "http://127.0.0.1:$PORT/v1/tickets" -H "Idempotency-Key: pile-$n" \
        -d '{"customer": {"name": "Pile"}, "channel": "chat", "category": "inquiry", "description": "Anyone?"}' >/dev/null
done
sleep 1.5
psql "$OWNER_URL" -qc "BEGIN; SELECT 1 FROM agents WHERE role = 'supervisor' FOR UPDATE; SELECT pg_sleep(3); COMMIT;" >/dev/null &
BLOCKER=$!
sleep 0.3
worker() { env -u DATABASE_URL KEFU_WORKER_DATABASE_URL="$WORKER_URL" "$KEFU" worker --interval 0.2 --lease 3 >"$WORK/$1.log" 2>&1 & }
worker killed
KILLED=$!
for _ in $(seq 1 200); do
    [ "$(query "SELECT count(*) FROM pg_stat_activity WHERE usename = 'kefu_worker' AND wait_event_type = 'Lock'")" -gt 0 ] && break
    sleep 0.01
done
CLAIMED_BY_A="$(query "SELECT count(*) FROM ticket_timers WHERE claimed_until IS NOT NULL AND done_at IS NULL")"
kill -KILL "$KILLED"
wait "$KILLED" 2>/dev/null || true
wait "$BLOCKER"
DONE_BY_A="$(query "SELECT count(*) - 1 FROM ticket_sla_breaches")"
worker survivor
PIDS+=($!)
EXPECTED=$((PILE + 1))
for _ in $(seq 1 300); do
    [ "$(query "SELECT count(*) FROM ticket_sla_breaches")" = "$EXPECTED" ] && break
    sleep 0.1
done
sleep 4   # past the lease: a second action on any timer would happen now, if it could
PILE_BREACHES="$(query "SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'channel_response'")"
PILE_ESCALATIONS="$(query "SELECT count(*) FROM notifications WHERE kind = 'sla_breach'")"
PILE_EVENTS="$(query "SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated'")"
TWICE="$(query "SELECT count(*) FROM (SELECT ticket_id FROM notifications WHERE kind = 'sla_breach' GROUP BY ticket_id HAVING count(*) > 1) t")"

for pid in "${PIDS[@]}"; do
    kill -TERM "$pid"
    wait "$pid" || STATUS=$?
done
PIDS=()

if [ "$BREACHES" != "1" ] || [ "$ESCALATIONS" != "1" ] || [ "$STATUS" != "0" ]; then
    echo "topology check FAILED: breaches=$BREACHES escalations=$ESCALATIONS exit=$STATUS"
    tail -n 20 "$WORK"/*.log
    exit 1
fi
if [ "$PILE_BREACHES" != "$EXPECTED" ] || [ "$PILE_ESCALATIONS" != "$EXPECTED" ] || [ "$PILE_EVENTS" != "$EXPECTED" ] || [ "$TWICE" != "0" ]; then
    echo "kill -9 check FAILED: breaches=$PILE_BREACHES escalations=$PILE_ESCALATIONS events=$PILE_EVENTS twice=$TWICE (expected $EXPECTED each)"
    tail -n 20 "$WORK"/*.log
    exit 1
fi
echo "topology check ok: migrate + api + 2 workers; one breach escalated exactly once; graceful exits"
echo "kill -9 check ok: worker A had claimed $CLAIMED_BY_A of $PILE and committed $DONE_BY_A when killed -9 mid-batch; worker B finished them; each escalated exactly once"
