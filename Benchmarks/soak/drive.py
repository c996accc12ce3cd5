"""Soak driver: SOAK_CLIENTS threads for argv[1] seconds, each picking at random (weights below):
a whole ticket life in one of the live tenants (intake, reply, request-info, the customer's answer,
resolve, survey answer, close), a lone intake, or a queue page (GET /v1/tickets?status=…) in a
live tenant or a bulk-loaded one (the 10 M-ticket table). One extra thread makes a surge in the
surge tenant at argv[2] seconds: SURGE_TICKETS chat intakes within a minute.
Writes one line per request to stdout: "t_since_start op status latency_ms" (status 0 = no answer).
Environment: BASE_URL, SOAK_CLIENTS, TENANTS_FILE (lines "kind slug admin agent gateway"; kind
live, bulk or surge), SURGE_TICKETS."""
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request

BASE = os.environ["BASE_URL"]
DURATION, SURGE_AT = float(sys.argv[1]), float(sys.argv[2])
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "6"))
SURGE_TICKETS = int(os.environ.get("SURGE_TICKETS", "80"))
tenants = {"live": [], "bulk": [], "surge": []}
for line in open(os.environ["TENANTS_FILE"]):
    kind, slug, *keys = line.split()
    tenants[kind].append(dict(zip(("admin", "agent", "gateway"), keys), slug=slug))
lock = threading.Lock()
out = sys.stdout
START = time.time()
STATUSES = ["new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed"]


class Failed(Exception):
    pass


def call(op, method, path, key, body=None, expect=(200, 201)):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{BASE}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    t0 = time.time()
    status, headers, payload = 0, {}, None
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, headers, payload = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status = error.code
        payload = error.read()
    except Exception as error:  # connection refused/reset, timeout
        sys.stderr.write(f"{op}: {error}\n")
    ms = (time.time() - t0) * 1000
    with lock:
        out.write(f"{t0 - START:.3f} {op} {status} {ms:.2f}\n")
    if status not in expect:
        sys.stderr.write(f"{op} {path}: {status} {payload[:200] if payload else ''}\n")
        raise Failed(op)
    return headers, json.loads(payload or b"null")


def intake(tenant, n, channel="chat"):
    _, ticket = call("intake", "POST", "/v1/tickets", tenant["admin"],
                     {"customer": {"name": f"Soak {n}"}, "channel": channel, "category": "fault", "priority": "P3",
                      "description": f"订单 {n} 支付失败，页面提示银行卡状态异常"})
    return ticket["id"]


def life(tenant, n):
    ticket = intake(tenant, n)
    call("respond", "POST", f"/v1/tickets/{ticket}/respond", tenant["agent"], {"body": "您好，我们正在核实支付通道的状态"})
    call("request-info", "POST", f"/v1/tickets/{ticket}/request-info", tenant["agent"], {"body": "请提供订单号和支付时间"})
    call("customer-reply", "POST", f"/v1/tickets/{ticket}/customer-reply", tenant["gateway"], {"body": f"订单 {n}，今天上午十点"})
    headers, _ = call("resolve", "POST", f"/v1/tickets/{ticket}/resolve", tenant["agent"], {"solution_summary": "支付通道已恢复"})
    token = headers.get("Survey-Token")
    call("survey", "POST", f"/v1/surveys/{token}", tenant["admin"],
         {"timeliness": 5, "professionalism": 5, "resolution": 4, "attitude": 5, "overall": 5})
    call("close", "POST", f"/v1/tickets/{ticket}/close", tenant["agent"], {})


def queue(tenant):
    status = random.choice(STATUSES)
    call(f"queue", "GET", f"/v1/tickets?status={status}&limit=50", tenant["agent"])


def client(seed):
    rng = random.Random(seed)
    n = seed * 10_000_000
    while time.time() - START < DURATION:
        n += 1
        roll = rng.random()
        try:
            if roll < 0.4:
                life(rng.choice(tenants["live"]), n)
            elif roll < 0.6:
                intake(rng.choice(tenants["live"]), n, rng.choice(["chat", "email", "web_form"]))
            elif roll < 0.8 or not tenants["bulk"]:
                queue(rng.choice(tenants["live"]))
            else:
                queue(rng.choice(tenants["bulk"]))
        except Failed:
            time.sleep(0.1)


def surge():
    time.sleep(max(0.0, SURGE_AT - (time.time() - START)))
    tenant = tenants["surge"][0]
    for n in range(SURGE_TICKETS):
        try:
            intake(tenant, 90_000_000 + n)
        except Failed:
            pass
        time.sleep(50.0 / SURGE_TICKETS)


threads = [threading.Thread(target=client, args=(i + 1,)) for i in range(CLIENTS)]
if tenants["surge"]:
    threads.append(threading.Thread(target=surge))
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
