#!/usr/bin/env python3
"""Turns one pgbench run into the JSON the wrk scripts print (WRKJSON fields).

    pgbench-stats.py PGBENCH_STDOUT LOG_FILE...

Throughput is pgbench's own "tps = … (without initial connection time)"; p50/p90/p99 come from
the per-transaction logs (-l: the third column is the latency in microseconds).
"""
import json
import re
import sys


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    rank = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def main():
    out = open(sys.argv[1]).read()
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    latencies = []
    for path in sys.argv[2:]:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]))
    latencies.sort()
    print(json.dumps({
        "requests": len(latencies), "rate": tps,
        "p50_us": percentile(latencies, 50), "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99), "max_us": latencies[-1] if latencies else 0,
        "errors_status": int(failed.group(1)) if failed else 0,
    }))


if __name__ == "__main__":
    main()
