"""Proxy overhead: bulk throughput through the embedded proxy vs direct loopback, and the latency
it adds to a small HTTP-sized request/response (p50/p99); the same with a chain of three pass-through
toxics in each direction (each toxic is a pipeline stage: a task and a bounded channel)."""

from __future__ import annotations

import asyncio
import statistics
import time

from harness.proxy.attributes import Noop
from harness.proxy.client import embedded_proxy

BULK = 64 * 1024 * 1024
ROUNDS = 500


async def _sink(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    while data := await r.read(1 << 16):
        if data.endswith(b"\n"):
            w.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await w.drain()
    w.close()


async def _throughput(port: int) -> float:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    block = b"x" * (1 << 16)
    t0 = time.perf_counter()
    for _ in range(BULK // len(block)):
        w.write(block)
        await w.drain()
    w.close()
    await w.wait_closed()
    return BULK / (time.perf_counter() - t0) / 1e6


async def _latencies(port: int) -> list[float]:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    out = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        w.write(b"GET /mcp HTTP/1.1\r\nhost: x\r\n\n")
        await w.drain()
        await r.readexactly(40)
        out.append((time.perf_counter() - t0) * 1e6)
    w.close()
    return sorted(out)


def _q(xs: list[float], f: float) -> float:
    return xs[min(len(xs) - 1, int(len(xs) * f))]


async def run() -> None:
    server = await asyncio.start_server(_sink, "127.0.0.1", 0)
    direct = server.sockets[0].getsockname()[1]
    async with embedded_proxy() as px:
        proxied = int((await px.create_proxy("bench", f"127.0.0.1:{direct}")).listen.rsplit(":", 1)[1])
        d_mb, p_mb = await _throughput(direct), await _throughput(proxied)
        d_lat, p_lat = await _latencies(direct), await _latencies(proxied)
        for i in range(3):
            for stream in ("upstream", "downstream"):
                await px.add_toxic("bench", Noop(), stream=stream, name=f"noop-{stream}-{i}")
        c_mb, c_lat = await _throughput(proxied), await _latencies(proxied)
    server.close()
    print(f"proxy throughput: direct {d_mb:.0f} MB/s, through proxy {p_mb:.0f} MB/s (ratio {p_mb / d_mb:.2f}), "
          f"through 3 toxics per direction {c_mb:.0f} MB/s (ratio {c_mb / d_mb:.2f})")
    print(f"proxy latency per small request: direct p50 {_q(d_lat, .5):.0f} µs p99 {_q(d_lat, .99):.0f} µs; "
          f"proxied p50 {_q(p_lat, .5):.0f} µs p99 {_q(p_lat, .99):.0f} µs; added p50 "
          f"{_q(p_lat, .5) - _q(d_lat, .5):.0f} µs (mean {statistics.mean(p_lat) - statistics.mean(d_lat):.0f} µs); "
          f"through 3 toxics per direction p50 {_q(c_lat, .5):.0f} µs p99 {_q(c_lat, .99):.0f} µs")


def main() -> None:
    asyncio.run(run())
