"""Soak, before the load: what the size of the database costs the work that should not depend
on it (issue 16 §4, 10 M tickets against 1 M). One client, sequential requests in the bulk
tenants: argv[1] queue pages (GET /v1/tickets?status=…&limit=50, as an agent) and argv[2] weekly
reports (GET /v1/reports/weekly for the last full week, as the admin), after 5 warm-up requests
each. Prints "name<TAB>p50 / p99 ms (n)" lines for the soak's figure table.
Environment: BASE_URL, TENANTS_FILE (lines "kind slug admin agent gateway")."""
import datetime
import os
import sys
import time
import urllib.request

BASE = os.environ["BASE_URL"]
bulk = [line.split() for line in open(os.environ["TENANTS_FILE"]) if line.startswith("bulk ")]
monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday() + 7)


def timed(path, key):
    request = urllib.request.Request(f"{BASE}{path}", headers={"Authorization": f"Bearer {key}"})
    t0 = time.time()
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"{path}: {answer.status}")
    return (time.time() - t0) * 1000


def measure(name, count, request):
    for i in range(5):
        request(i)
    found = sorted(request(i) for i in range(count))
    pct = lambda q: found[min(len(found) - 1, int(q * len(found)))]
    print(f"{name}\t{pct(.5):.1f} / {pct(.99):.1f} ms ({count})")


statuses = ["new", "assigned", "in_progress", "waiting_on_customer"]
measure("growth probe: queue page in a bulk tenant, p50 / p99", int(sys.argv[1]),
        lambda i: timed(f"/v1/tickets?status={statuses[i % 4]}&limit=50", bulk[i % len(bulk)][3]))
measure("growth probe: weekly report in a bulk tenant, p50 / p99", int(sys.argv[2]),
        lambda i: timed(f"/v1/reports/weekly?week_start={monday}", bulk[i % len(bulk)][2]))
