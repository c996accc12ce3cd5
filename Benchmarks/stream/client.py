#!/usr/bin/env python3
"""Live stream benchmark client (Benchmarks/stream/run.sh): opens N idle SSE streams on one kefu
serve process, reports its RSS before and after (per stream), then sends M intakes one after the
other and measures, for each, the time from sending POST /v1/tickets to its `ticket.created` event
having arrived on every stream. Prints one JSON object. Standard library only."""
import asyncio, json, sys, time, urllib.request

base, key, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
streams, intakes, gap = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
host, port = base.removeprefix("http://").split(":")


def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None


created = []          # per intake: streams that got its ticket.created
arrived = []          # per intake: time the last stream got it


async def open_stream(i, ready):
    reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
    writer.write(f"GET /v1/stream HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    buffer, seen, connected = b"", 0, False
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            raise SystemExit(f"stream {i} closed: {buffer[-300:]!r}")
        buffer = buffer[-64:] + chunk if connected else buffer + chunk
        if not connected and b": connected" in buffer:
            if b" 200 " not in buffer.split(b"\r\n", 1)[0]:
                raise SystemExit(f"stream {i}: {buffer[:300]!r}")
            connected = True
            ready.set_result(None) if not ready.done() else None
        count = chunk.count(b"event: ticket.created")
        for _ in range(count):
            if seen < len(created):
                created[seen] += 1
                if created[seen] == streams:
                    arrived[seen] = time.perf_counter()
            seen += 1


def intake(n):
    body = json.dumps({"customer": {"name": f"Stream bench {n}"}, "channel": "in_app", "category": "fault",
                       "priority": "P3", "description": f"live stream benchmark ticket {n}"}).encode()
    request = urllib.request.Request(f"{base}/v1/tickets", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201, response.status


async def main():
    await asyncio.sleep(0.5)
    before = rss_kb()
    readies, tasks = [], []
    opened = time.perf_counter()
    for i in range(streams):
        ready = asyncio.get_running_loop().create_future()
        readies.append(ready)
        tasks.append(asyncio.create_task(open_stream(i, ready)))
        if i % 50 == 49:
            await asyncio.gather(*readies[-50:])
    await asyncio.gather(*readies)
    connect_seconds = time.perf_counter() - opened
    await asyncio.sleep(2)
    after = rss_kb()
    latencies, intake_ms = [], []
    for n in range(intakes):
        created.append(0)
        arrived.append(None)
        start = time.perf_counter()
        await asyncio.get_running_loop().run_in_executor(None, intake, n)
        intake_ms.append((time.perf_counter() - start) * 1000)
        deadline = start + 30
        while arrived[n] is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        if arrived[n] is None:
            raise SystemExit(f"intake {n}: only {created[n]} of {streams} streams got it within 30 s")
        latencies.append((arrived[n] - start) * 1000)
        await asyncio.sleep(gap)
    for task in tasks:
        if task.done() and task.exception():
            raise task.exception()
    print(json.dumps({
        "streams": streams, "connect_seconds": round(connect_seconds, 2),
        "rss_before_kb": before, "rss_after_kb": after, "rss_after_events_kb": rss_kb(),
        "kb_per_stream": round((after - before) / streams, 1),
        "intakes": intakes, "latency_p50_ms": round(pct(latencies, 50), 1), "latency_p99_ms": round(pct(latencies, 99), 1),
        "latency_max_ms": round(max(latencies), 1), "intake_p50_ms": round(pct(intake_ms, 50), 1),
    }))


asyncio.run(main())
