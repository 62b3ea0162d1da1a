from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.toxics.base import RNG, Toxic


class LatencyToxic(Toxic[attrs.Latency]):
    """Each chunk leaves at its arrival time + `latency` ± `jitter` ms. The delay counts from the
    chunk's own arrival stamp, so chunks are pipelined: with 100 ms latency and writes 60 ms apart
    they leave 60 ms apart, each 100 ms after it came. Order is kept (a chunk whose draw is shorter
    waits for the one before it). Interrupted, it sends the chunk it holds at once."""

    attributes_type = attrs.Latency
    buffer_size = 1024  # as Toxiproxy: the chunks in flight during the delay

    def delay(self) -> float:
        a = self.attributes
        jitter = RNG.uniform(-a.jitter, a.jitter) if a.jitter > 0 else 0.0
        return (a.latency + jitter) / 1000

    async def pipe(self, stage: Any) -> None:
        while (chunk := await stage.recv()) is not None:
            release = chunk.stamp + self.delay()
            on_time = await stage.wait_until(release)
            if on_time:
                chunk.stamp = max(chunk.stamp, release)
            await stage.send(chunk)
            if not on_time:
                return
