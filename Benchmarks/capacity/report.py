"""Capacity benchmark report: per intake and per ticket life from the snapshots, then the
projection to 10,000 tenants, 100 M tickets and 2,000 intakes/s (arithmetic on the measured
figures; the assumptions are printed with it)."""
import json
import sys

results, intakes, lives, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def tables(name):
    rows, wal = {}, 0
    for line in open(f"{results}/{name}.tables"):
        kind, rel, ins, upd, dele, heap, index = line.strip().split("|")
        if kind == "wal":
            high, low = rel.split("/")
            wal = (int(high, 16) << 32) | int(low, 16)
        else:
            rows[rel] = (int(ins), int(upd), int(dele), int(heap), int(index))
    return rows, wal


def delta(phase, count):
    before, wal0 = tables(f"{phase}-before")
    after, wal1 = tables(f"{phase}-after")
    cpu0 = json.load(open(f"{results}/{phase}-before.cpu"))
    cpu1 = json.load(open(f"{results}/{phase}-after.cpu"))
    requests, seconds = open(f"{results}/{phase}.client").read().split()
    per = {}
    for rel, values in after.items():
        old = before.get(rel, (0, 0, 0, 0, 0))
        d = [(a - b) / count for a, b in zip(values, old)]
        if any(abs(x) > 0 for x in d[:3]):
            per[rel] = d
    return {
        "tables": per,
        "wal": (wal1 - wal0) / count,
        "pg_ms": (cpu1["postgres"] - cpu0["postgres"]) * 1000 / hz / count,
        "kefu_ms": (cpu1["server"] - cpu0["server"]) * 1000 / hz / count,
        "requests": int(requests) / count,
        "rate": count / float(seconds),
    }


def show(title, d, count):
    print(f"\n{title} ({count}; {d['rate']:.0f}/s on this machine, {d['requests']:.1f} HTTP requests each)")
    print("| table | rows inserted | updated | deleted | heap bytes | index bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    total = [0.0] * 5
    for rel, values in sorted(d["tables"].items(), key=lambda item: -item[1][0]):
        total = [t + v for t, v in zip(total, values)]
        print(f"| {rel} | {values[0]:.2f} | {values[1]:.2f} | {values[2]:.2f} | {values[3]:.0f} | {values[4]:.0f} |")
    print(f"| **all** | **{total[0]:.2f}** | **{total[1]:.2f}** | **{total[2]:.2f}** | **{total[3]:.0f}** | **{total[4]:.0f}** |")
    print(f"WAL {d['wal']:.0f} bytes; PostgreSQL CPU {d['pg_ms']:.2f} ms; Kefu CPU {d['kefu_ms']:.2f} ms")
    return total


intake = delta("intake", intakes)
life = delta("life", lives)
show("Per intake", intake, intakes)
life_total = show("Per ticket life (intake → reply → request-info → customer answer → resolve → survey → close)", life, lives)

tickets, tenants, peak = 100_000_000, 10_000, 2_000
stored = (life_total[3] + life_total[4]) * tickets
print("\nProjection (arithmetic on the figures above; bytes as measured on a fresh table, so without bloat; heap + indexes)")
print("| figure | value | from |")
print("|---|---:|---|")
print(f"| storage for {tickets / 1e6:.0f} M ticket lives | {stored / 1e12:.2f} TB | heap + index bytes per life × 100 M |")
print(f"| rows for {tickets / 1e6:.0f} M ticket lives | {life_total[0] * tickets / 1e9:.1f} billion | rows inserted per life × 100 M |")
print(f"| WAL at {peak} intakes/s | {intake['wal'] * peak / 1e6:.1f} MB/s | WAL per intake × {peak} |")
print(f"| PostgreSQL CPU at {peak} intakes/s | {intake['pg_ms'] * peak / 1000:.1f} cores | CPU per intake × {peak} |")
print(f"| Kefu CPU at {peak} intakes/s | {intake['kefu_ms'] * peak / 1000:.1f} cores | CPU per intake × {peak} |")
print(f"| WAL per ticket life at {peak} lives/s | {life['wal'] * peak / 1e6:.1f} MB/s | WAL per life × {peak} |")
print(f"| PostgreSQL CPU per {peak} lives/s | {life['pg_ms'] * peak / 1000:.1f} cores | CPU per life × {peak} |")
print(f"| tickets per tenant (average) | {tickets // tenants:,} | {tickets / 1e6:.0f} M / {tenants:,} tenants |")
