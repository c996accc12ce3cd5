"""Soak report: argv[1] = results folder (requests.txt from drive.py, samples.jsonl from sample.py,
sizes-before.txt / sizes-after.txt from sizes.sql, surge.txt), argv[2] = warm-up seconds, argv[3] = run seconds.
Prints per-minute latency, RSS over time, connections, errors, dead timers and table sizes, then
figure | measured | target | ok/MISSED; exits 1 when a target is missed."""
import json
import os
import sys
from collections import defaultdict

RESULTS, WARMUP, DURATION = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
missed = []
RSS_LIMIT = float(os.environ.get("SOAK_RSS_LIMIT", "5"))   # % growth allowed after warm-up


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def table(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    line = lambda row: "| " + " | ".join(str(x).rjust(w) for x, w in zip(row, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()


# --- requests ---------------------------------------------------------------------------------
minutes = defaultdict(list)
errors = defaultdict(int)
ops = defaultdict(list)
total = 0
for line in open(f"{RESULTS}/requests.txt"):
    t, op, status, ms = line.split()
    t, status, ms = float(t), int(status), float(ms)
    minute = int(min(t, DURATION - 1) // 60)   # a life's last steps after the end count in the last minute
    minutes[minute].append(ms)
    ops[op].append(ms)
    total += 1
    if not 200 <= status < 300:
        errors[minute] += 1
print(f"Requests per minute ({total} in all):")
table(["minute", "requests", "p50 ms", "p99 ms", "max ms", "errors"],
      [[m + 1, len(v), f"{pct(v, .5):.1f}", f"{pct(v, .99):.1f}", f"{max(v):.1f}", errors[m]] for m, v in sorted(minutes.items())])
print("Per operation:")
table(["operation", "requests", "p50 ms", "p99 ms", "max ms"],
      [[op, len(v), f"{pct(v, .5):.1f}", f"{pct(v, .99):.1f}", f"{max(v):.1f}"] for op, v in sorted(ops.items())])

# --- samples ----------------------------------------------------------------------------------
samples = [json.loads(line) for line in open(f"{RESULTS}/samples.jsonl") if line.strip()]
names = list(samples[0]["rss"]) if samples else []
print("RSS (MB) and client connections, every minute:")
rows, last_minute = [], None
for s in samples:
    m = int(s["t"] // 60)
    if m != last_minute or s is samples[-1]:
        rows.append([f"{s['t']:.0f}"] + [f"{(s['rss'].get(n) or 0) / 1024:.1f}" for n in names]
                    + [s.get("connections_total", "?"), s.get("failed_timers", "?"), s.get("dead_deliveries", "?")])
        last_minute = m
table(["t s"] + names + ["connections", "failed timers", "dead deliveries"], rows)
peaks = defaultdict(int)
for s in samples:
    for k, n in (s.get("connections") or {}).items():
        peaks[k] = max(peaks[k], n)
print("Peak connections by role/state: " + ", ".join(f"{k} {n}" for k, n in sorted(peaks.items())) + "\n")

# --- sizes ------------------------------------------------------------------------------------
def sizes(name):
    found = {}
    for line in open(f"{RESULTS}/{name}"):
        if line.strip():
            rel, heap, index, total_bytes, rows_live = line.strip().split("|")
            found[rel] = (int(heap), int(index), int(total_bytes), int(rows_live))
    return found


before, after = sizes("sizes-before.txt"), sizes("sizes-after.txt")
mb = lambda b: f"{b / 1048576:.1f}"
print("Largest tables, heap + indexes (MB) and live rows, before and after the soak:")
table(["table", "heap before", "heap after", "indexes before", "indexes after", "total growth MB", "rows before", "rows after"],
      [[rel, mb(before.get(rel, (0,) * 4)[0]), mb(after[rel][0]), mb(before.get(rel, (0,) * 4)[1]), mb(after[rel][1]),
        mb(after[rel][2] - before.get(rel, (0,) * 4)[2]), before.get(rel, (0,) * 4)[3], after[rel][3]]
       for rel in after])

# --- figures ----------------------------------------------------------------------------------
figures = []


def figure(name, measured, target="-", ok=None):
    figures.append([name, measured, target, "-" if ok is None else ("ok" if ok else "MISSED")])
    if ok is False:
        missed.append(name)


warm = [s for s in samples if s["t"] >= WARMUP]
for n in names:
    if len(warm) >= 2 and warm[0]["rss"].get(n) and warm[-1]["rss"].get(n):
        a, b = warm[0]["rss"][n], warm[-1]["rss"][n]
        growth = (b - a) / a * 100
        target = not n.startswith("postgres")
        figure(f"RSS {n}, end of warm-up -> end", f"{a / 1024:.1f} -> {b / 1024:.1f} MB ({growth:+.1f} %)",
               f"<= +{RSS_LIMIT:g} %" if target else "-", growth <= RSS_LIMIT if target else None)
    else:
        figure(f"RSS {n}, end of warm-up -> end", "no samples after warm-up", f"<= +{RSS_LIMIT:g} %", False)
steady = [v for m, v in minutes.items() if m * 60 >= WARMUP]
worst = max((pct(v, .99) for v in steady), default=float("nan"))
figure("p99 of the worst minute after warm-up", f"{worst:.1f} ms")
figure("requests / errors (non-2xx or no answer)", f"{total} / {sum(errors.values())}", "0 errors", sum(errors.values()) == 0 and total > 0)
figure("client connections, max (all roles)", str(max((s.get("connections_total", 0) for s in samples), default=0)))
figure("failed (dead) timers at the end", str(samples[-1].get("failed_timers", "?") if samples else "?"), "0",
       bool(samples) and samples[-1].get("failed_timers") == 0)
figure("dead deliveries at the end", str(samples[-1].get("dead_deliveries", "?") if samples else "?"), "0",
       bool(samples) and samples[-1].get("dead_deliveries") == 0)
figure("samples with the database unreadable", str(sum(1 for s in samples if s.get("db_error"))), "0",
       not any(s.get("db_error") for s in samples))
for line in open(f"{RESULTS}/extra.txt"):
    name, _, value = line.rstrip("\n").partition("\t")
    figure(name, value)
table(["figure", "measured", "target", "ok/MISSED"], figures)
sys.exit(1 if missed else 0)
