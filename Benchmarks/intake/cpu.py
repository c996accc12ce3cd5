#!/usr/bin/env python3
"""Prints one JSON snapshot of CPU time (clock ticks) for the benchmark's processes.

    cpu.py SERVER_PID PGDATA

server: the kefu process; postgres: the postmaster of PGDATA and its live children, plus the
time of children it already reaped (pgbench's backends exit before the snapshot after a run);
machine: busy and total ticks of the whole machine (/proc/stat), to see what else was running.
"""
import json
import os
import sys


def ticks(pid, with_children=False):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0, None
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
    own = int(fields[11]) + int(fields[12])
    reaped = int(fields[13]) + int(fields[14]) if with_children else 0
    return own + reaped, int(fields[1])  # ticks, ppid


def main():
    server_pid, pgdata = int(sys.argv[1]), sys.argv[2]
    with open(os.path.join(pgdata, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    postgres, _ = ticks(postmaster, with_children=True)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            value, ppid = ticks(int(entry))
            if ppid == postmaster:
                postgres += value
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    print(json.dumps({"server": ticks(server_pid)[0], "postgres": postgres,
                      "machine_busy": sum(cpu[:8]) - idle, "machine_total": sum(cpu[:8]),
                      "hz": os.sysconf("SC_CLK_TCK")}))


if __name__ == "__main__":
    main()
