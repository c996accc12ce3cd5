"""Delivery benchmark driver: posts tickets through the API at a steady rate for each tenant key
(argv[3:] as SLUG=KEY), argv[1] per second each, for argv[2] seconds, and prints one line per
ticket: "slug ticket_id t201" (the client's clock just after the 201). Also measures the reference:
a direct POST to the fast receiver (REFERENCE_URL), printed as "reference - seconds"."""
import json
import os
import sys
import threading
import time
import urllib.request

BASE = os.environ["BASE_URL"]
RATE, SECONDS = float(sys.argv[1]), float(sys.argv[2])
TENANTS = [arg.split("=", 1) for arg in sys.argv[3:]]
lock = threading.Lock()
lines = []


def post(url, body, headers):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.read()


def tenant(slug, key):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    start, n = time.time(), 0
    while time.time() - start < SECONDS:
        n += 1
        body = {"customer": {"name": f"Bench {n}"}, "channel": "chat", "category": "inquiry", "description": f"订单 {n} 未到"}
        status, answer = post(f"{BASE}/v1/tickets", body, headers)
        t201 = time.time()
        if status != 201:
            raise SystemExit(f"intake answered {status}")
        with lock:
            lines.append(f"{slug} {json.loads(answer)['id']} {t201:.6f}")
        time.sleep(max(0.0, start + n / RATE - time.time()))


def reference():
    url = os.environ["REFERENCE_URL"]
    start = time.time()
    while time.time() - start < SECONDS:
        t0 = time.time()
        post(url, {"reference": True}, {"Content-Type": "application/json"})
        with lock:
            lines.append(f"reference - {time.time() - t0:.6f}")
        time.sleep(1 / RATE)


threads = [threading.Thread(target=tenant, args=pair) for pair in TENANTS] + [threading.Thread(target=reference)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\n".join(lines))
