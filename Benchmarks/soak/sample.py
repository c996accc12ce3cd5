"""Soak sampler: every argv[1] seconds until killed, one JSON line to stdout: the time since start,
VmRSS (kB) of each named process (argv[3:] as NAME=PID), the summed PSS (proportional set size:
shared buffers counted once) of the PostgreSQL postmaster (pid from argv[2], its postmaster.pid)
and its children, pg_stat_activity counts by
role and state, failed timers (failed_at set, not done: what `kefu timers --failed` lists) and dead
deliveries.
Environment: OWNER_URL."""
import json
import os
import subprocess
import sys
import time

INTERVAL, PIDFILE = float(sys.argv[1]), sys.argv[2]
PROCS = [arg.split("=", 1) for arg in sys.argv[3:]]
URL = os.environ["OWNER_URL"]
SQL = """
SELECT json_build_object(
  'connections', (SELECT coalesce(json_object_agg(k, n), '{}') FROM (
      SELECT coalesce(usename, backend_type) || '/' || coalesce(state, '-') AS k, count(*) AS n
      FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1) c),
  'connections_total', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  'failed_timers', (SELECT count(*) FROM ticket_timers WHERE failed_at IS NOT NULL AND done_at IS NULL)
                 + (SELECT count(*) FROM record_timers WHERE failed_at IS NOT NULL AND done_at IS NULL),
  'dead_deliveries', (SELECT count(*) FROM deliveries WHERE status = 'dead'),
  'pending_deliveries', (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'failed')))
"""


def rss(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return 0


def pss(pid):
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return 0


def children(root):
    found, parents = [], {root}
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
                table[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    for pid, ppid in table.items():
        if ppid in parents:
            found.append(pid)
    return [root] + found


start = time.time()
while True:
    tick = time.time()
    sample = {"t": round(tick - start, 1), "rss": {name: rss(pid) for name, pid in PROCS}}
    try:
        postmaster = int(open(PIDFILE).readline())
        sample["rss"]["postgres (PSS sum)"] = sum(pss(p) or 0 for p in children(postmaster))
    except (OSError, ValueError):
        pass
    try:
        sample.update(json.loads(subprocess.run(["psql", URL, "-X", "-q", "-A", "-t", "-c", SQL],
                                                capture_output=True, text=True, timeout=30).stdout))
    except (ValueError, subprocess.TimeoutExpired):
        sample["db_error"] = True
    print(json.dumps(sample), flush=True)
    time.sleep(max(0.0, INTERVAL - (time.time() - tick)))
