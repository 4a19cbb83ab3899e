#!/usr/bin/python3
"""HTTP load for failwatch's port: keep-alive scrapers, idle connections,
slowloris clients, and a /healthz prober that measures latency.

Prints one JSON object: per role, requests answered, errors, unfinished
(still waiting >= 1 s at the end, counted in the percentiles with their wait)
and p50/p99/max in ms. The /healthz prober runs in a child process of its
own, so this process's busy event loop is not in its figures.
Standard library only (asyncio), plain HTTP; used by bench/http_load.sh and
tests/integration/http_front_test.sh (which asserts nothing about speed,
only that /healthz answered)."""
import argparse
import asyncio
import json
import sys
import time


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    # Read and drop: 200 scrapers of a 200k-series body (18 MB) would hold
    # gigabytes in the client otherwise.
    remaining = length
    while remaining:
        chunk = await reader.read(min(remaining, 1 << 20))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", remaining)
        remaining -= len(chunk)
    return status, length


class Stats:
    def __init__(self):
        self.lat = []
        self.errors = 0
        self.pending = {}  # client -> perf_counter() when its request was sent
        self.unfinished = 0

    def close(self, t_stop):
        """Requests still unanswered when the run stopped after waiting 1 s
        or more count with the time they had waited (a lower bound): a
        server that never answers a starved client must not look fast.
        Shorter waits are dropped, as any request the end cuts short."""
        for t0 in self.pending.values():
            if t_stop - t0 >= 1.0:
                self.lat.append((t_stop - t0) * 1000)
                self.unfinished += 1
        self.pending.clear()

    def summary(self):
        lat = sorted(self.lat)
        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None
        return {"requests": len(lat) - self.unfinished, "errors": self.errors,
                "unfinished": self.unfinished,
                "p50_ms": pct(0.50), "p99_ms": pct(0.99),
                "max_ms": round(lat[-1], 2) if lat else None}


async def keepalive_client(host, port, path, extra, stop, stats, pause=0.0):
    req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()
    me = object()
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
            while not stop.is_set():
                t0 = time.perf_counter()
                stats.pending[me] = t0
                writer.write(req)
                status, _ = await asyncio.wait_for(read_response(reader), 30)
                stats.pending.pop(me, None)
                ms = (time.perf_counter() - t0) * 1000
                if status == 200:
                    stats.lat.append(ms)
                else:
                    stats.errors += 1
                if pause:
                    await asyncio.sleep(pause)
            writer.close()
        except Exception:
            stats.pending.pop(me, None)
            stats.errors += 1
            await asyncio.sleep(0.05)


async def idle_client(host, port, stop, opened):
    """One request, then stays open and silent (a kept-alive idle client);
    reconnects when the server closes it."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await read_response(reader)
            opened[0] += 1
            while not stop.is_set() and not reader.at_eof():
                try:
                    await asyncio.wait_for(reader.read(1), 1.0)
                except asyncio.TimeoutError:
                    pass
            writer.close()
        except Exception:
            await asyncio.sleep(0.2)


async def slowloris_client(host, port, stop, interval):
    """One header byte every `interval` seconds, reconnecting when closed."""
    data = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: {'a' * 4000}\r\n\r\n".encode()
    while not stop.is_set():
        try:
            _, writer = await asyncio.open_connection(host, port)
            for i in range(len(data)):
                if stop.is_set():
                    break
                writer.write(data[i:i + 1])
                await writer.drain()
                await asyncio.sleep(interval)
            writer.close()
        except Exception:
            await asyncio.sleep(0.2)


async def main(args):
    stop = asyncio.Event()
    tasks = []
    opened = [0]
    stats = {"healthz": Stats(), "scrape": Stats()}
    for _ in range(args.idle):
        tasks.append(asyncio.create_task(idle_client(args.host, args.port, stop, opened)))
    for _ in range(args.slowloris):
        tasks.append(asyncio.create_task(slowloris_client(args.host, args.port, stop, args.slowloris_interval)))
    if args.idle or args.slowloris:
        await asyncio.sleep(args.warmup)
    extra = "Accept-Encoding: gzip\r\n" if args.gzip else ""
    for _ in range(args.scrapers):
        tasks.append(asyncio.create_task(keepalive_client(
            args.host, args.port, args.scrape_path, extra, stop, stats["scrape"])))
    # The prober runs in its own process: in this one, the event loop busy
    # with 200 scrapers would add its own delay to every probe.
    probe = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--host", args.host, "--port", str(args.port),
        "--probe-only", "--duration", str(args.duration),
        "--probe-interval", str(args.probe_interval), "--probe-timeout", str(args.probe_timeout),
        stdout=asyncio.subprocess.PIPE)
    await asyncio.sleep(args.duration)
    stop.set()
    t_stop = time.perf_counter()
    for v in stats.values():
        v.close(t_stop)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out = {k: v.summary() for k, v in stats.items()}
    probed, _ = await probe.communicate()
    out["healthz"] = json.loads(probed)["healthz"]
    out["idle_connections_opened"] = opened[0]
    print(json.dumps(out))


async def probe_once(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    status, _ = await read_response(reader)
    return status, writer


async def probe_loop(args):
    """A fresh connection for each /healthz, like a liveness probe."""
    h = Stats()
    stop = time.perf_counter() + args.duration
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        h.pending["prober"] = t0
        try:
            # The timeout covers the connect too: a full accept queue
            # (civetweb's 4 threads busy) holds a connect for many seconds.
            left = max(0.001, min(args.probe_timeout, stop - t0))
            status, writer = await asyncio.wait_for(probe_once(args.host, args.port), left)
            writer.close()
            h.pending.pop("prober", None)
            if status == 200:
                h.lat.append((time.perf_counter() - t0) * 1000)
            else:
                h.errors += 1
        except asyncio.TimeoutError:
            if time.perf_counter() < stop:  # timed out, not cut by the end
                h.pending.pop("prober", None)
                h.errors += 1
        except Exception:
            h.pending.pop("prober", None)
            h.errors += 1
        await asyncio.sleep(args.probe_interval)
    h.close(time.perf_counter())
    print(json.dumps({"healthz": h.summary()}))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--scrapers", type=int, default=0)
    p.add_argument("--scrape-path", default="/metrics")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--idle", type=int, default=0)
    p.add_argument("--slowloris", type=int, default=0)
    p.add_argument("--slowloris-interval", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--probe-interval", type=float, default=0.05)
    p.add_argument("--probe-timeout", type=float, default=10.0)
    p.add_argument("--probe-only", action="store_true", help="(internal) the /healthz prober")
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    args = p.parse_args()
    asyncio.run(probe_loop(args) if args.probe_only else main(args))
