"""Soak, before the load: what the size of the database costs the work that should not depend
on it (issue 16 §4, 10 M tickets against 1 M). One client, sequential requests in the bulk
tenants: argv[1] queue pages (GET /v1/tickets?status=…&limit=50, as an agent) and argv[2] weekly
reports (GET /v1/reports/weekly for the last full week), after 5 warm-up requests each. Besides
the latency, the shared buffers each request touched (hit + read, from pg_stat_database, less
what the idle workers touched in the same time): a count of work that a busy machine does not
blur. Prints "name<TAB>value" lines for the soak's figure table.
Environment: BASE_URL, TENANTS_FILE (lines "kind slug admin agent gateway"), KEFU_HOME (for
`kefu db url`, the owner's connection)."""
import datetime
import os
import subprocess
import sys
import time
import urllib.request

BASE = os.environ["BASE_URL"]
bulk = [line.split() for line in open(os.environ["TENANTS_FILE"]) if line.startswith("bulk ")]
monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday() + 7)
home = os.environ["KEFU_HOME"]
owner_url = subprocess.run([f"{home}/kefu", "db", "url"], capture_output=True, text=True, check=True).stdout.strip()
FLUSH = 11  # PostgreSQL 15 flushes an idle backend's statistics within 10 s


def buffers():
    out = subprocess.run(["psql", owner_url, "-X", "-A", "-t", "-c",
                          "SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = current_database()"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip()), time.time()


def timed(path, key):
    request = urllib.request.Request(f"{BASE}{path}", headers={"Authorization": f"Bearer {key}"})
    t0 = time.time()
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"{path}: {answer.status}")
    return (time.time() - t0) * 1000


# What the idle API and workers touch per second (their interval sweeps), to subtract.
time.sleep(FLUSH)
b0, t0 = buffers()
time.sleep(FLUSH)
b1, t1 = buffers()
idle_rate = (b1 - b0) / (t1 - t0)


def measure(name, count, request):
    for i in range(5):
        request(i)
    time.sleep(FLUSH)
    before, start = buffers()
    found = sorted(request(i) for i in range(count))
    time.sleep(FLUSH)
    after, end = buffers()
    per = (after - before - idle_rate * (end - start)) / count
    pct = lambda q: found[min(len(found) - 1, int(q * len(found)))]
    print(f"{name}\t{pct(.5):.1f} / {pct(.99):.1f} ms; {per:.0f} buffers per request ({count})")


statuses = ["new", "assigned", "in_progress", "waiting_on_customer"]
print(f"growth probe: buffers the idle processes touch\t{idle_rate:.0f} per second")
measure("growth probe: queue page in a bulk tenant, p50 / p99", int(sys.argv[1]),
        lambda i: timed(f"/v1/tickets?status={statuses[i % 4]}&limit=50", bulk[i % len(bulk)][3]))
measure("growth probe: weekly report in a bulk tenant, p50 / p99", int(sys.argv[2]),
        lambda i: timed(f"/v1/reports/weekly?week_start={monday}", bulk[i % len(bulk)][2]))
