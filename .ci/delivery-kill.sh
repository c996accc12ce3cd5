#!/usr/bin/env bash
# Webhook deliveries survive a worker killed -9 in the middle of sending (issue 15): a real API, a
# real receiver on 127.0.0.1 that holds each answer, and `kefu worker` processes. Worker A is
# killed while a request is in flight (the receiver has it, A never learns the answer). Its leases
# are then expired (the state a lease's end leaves; waiting out the real 120 s changes nothing
# else) and worker B finishes. Every delivery must arrive, none may be lost, and a request sent
# twice must carry the same Kefu-Delivery id and the same body both times.
set -euo pipefail
cd "$(dirname "$0")/.."

export KEFU_LOG_LEVEL=warning
CLUSTER_NAME=delivery-kill TENANT_SLUG=delivery
source .ci/lib/kefu-cluster.sh
APP_URL="$("$KEFU" db url --app)"
WORKER_URL="$("$KEFU" db url --worker)"
RECEIVER_PORT=$((PORT + 1))
RECEIVED="$WORK/received.jsonl"
touch "$RECEIVED"

python3 .ci/lib/webhook-receiver.py "$RECEIVER_PORT" "$RECEIVED" 0.3 &
PIDS+=($!)
env -u DATABASE_URL KEFU_APP_DATABASE_URL="$APP_URL" KEFU_HTTP_PORT="$PORT" KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 \
    "$KEFU" serve >"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_ready

api() { curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
query() { psql "$OWNER_URL" -tAc "$1"; }
api -X POST "http://127.0.0.1:$PORT/v1/webhooks" \
    -d "{\"url\": \"http://127.0.0.1:$RECEIVER_PORT/hook\", \"events\": [\"ticket.created\", \"message.created\"]}" >/dev/null
for n in $(seq 1 12); do
    api -X POST "http://127.0.0.1:$PORT/v1/tickets" \
        -d "{\"customer\": {\"name\": \"Kill $n\"}, \"channel\": \"chat\", \"category\": \"inquiry\", \"description\": \"订单 $n 没到\"}" >/dev/null
done
EXPECTED="$(query "SELECT count(*) FROM deliveries")"

worker() {
    env -u DATABASE_URL KEFU_WORKER_DATABASE_URL="$WORKER_URL" KEFU_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 \
        "$KEFU" worker --interval 0.2 >"$WORK/$1.log" 2>&1 &
}
worker killed
KILLED=$!
for _ in $(seq 1 300); do
    [ "$(wc -l <"$RECEIVED")" -ge 4 ] && break
    sleep 0.02
done
kill -KILL "$KILLED"
wait "$KILLED" 2>/dev/null || true
IN_FLIGHT="$(tail -n 1 "$RECEIVED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["delivery"])')"
BEFORE_KILL="$(wc -l <"$RECEIVED")"
query "UPDATE deliveries SET claimed_until = now() - interval '1 second' WHERE claimed_until > now()" >/dev/null
worker survivor
PIDS+=($!)
for _ in $(seq 1 600); do
    [ "$(query "SELECT count(*) FROM deliveries WHERE status = 'delivered'")" = "$EXPECTED" ] && break
    sleep 0.1
done

DELIVERED="$(query "SELECT count(*) FROM deliveries WHERE status = 'delivered'")"
KNOWN="$(query "SELECT string_agg(upper(id::text), ',') FROM deliveries")"
VERDICT="$(python3 - "$RECEIVED" "$KNOWN" "$IN_FLIGHT" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
known = set(sys.argv[2].split(","))
bodies = {}
for r in records:
    bodies.setdefault(r["delivery"], set()).add(r["body"])
ids = set(bodies)
problems = []
if ids != known:
    problems.append(f"lost {len(known - ids)}, unknown {len(ids - known)}")
changed = [i for i, b in bodies.items() if len(b) > 1]
if changed:
    problems.append(f"{len(changed)} ids sent with different bodies")
again = sum(1 for r in records if r["delivery"] == sys.argv[3])
if again < 2:
    problems.append(f"the in-flight delivery was received {again} time(s), not re-sent")
print("; ".join(problems) if problems else f"ok {len(records)} {len(ids)}")
PY
)"
if [ "$DELIVERED" != "$EXPECTED" ] || [ "${VERDICT%% *}" != "ok" ]; then
    echo "delivery kill -9 check FAILED: delivered=$DELIVERED of $EXPECTED; $VERDICT"
    tail -n 20 "$WORK"/*.log
    exit 1
fi
read -r _ REQUESTS IDS <<<"$VERDICT"
echo "delivery kill -9 check ok: worker A killed -9 with a request in flight after $BEFORE_KILL requests; worker B delivered the rest;" \
    "$IDS deliveries arrived ($REQUESTS requests), none lost, the in-flight one re-sent with its id and body"
