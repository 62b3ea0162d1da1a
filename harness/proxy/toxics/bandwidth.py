import asyncio
from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import Chunk
from harness.proxy.toxics.base import Toxic


class BandwidthToxic(Toxic[attrs.Bandwidth]):
    """At most `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per ms) per connection and direction.
    Each chunk adds len/rate ms to a running sleep budget; a chunk over rate x 100 bytes leaves in
    pieces of that size, one every 100 ms. Rate 0 holds every chunk until the toxic is removed.
    Interrupted, it sends the rest of the chunk it holds at once."""

    attributes_type = attrs.Bandwidth

    async def pipe(self, stage: Any) -> None:
        loop = asyncio.get_running_loop()
        rate = self.attributes.rate
        budget = 0.0  # seconds still owed for the bytes sent
        while (chunk := await stage.recv()) is not None:
            if rate <= 0:
                await stage.hold()
                await stage.send(chunk)
                return
            data = chunk.data
            budget += len(data) / (rate * 1000)
            step = rate * 100
            while len(data) > step:
                if not await stage.wait(0.1):
                    await stage.send(Chunk(data, chunk.stamp))
                    return
                await stage.send(Chunk(data[:step], chunk.stamp))
                data, budget = data[step:], budget - 0.1
            start = loop.time()
            on_time = await stage.wait(budget)
            budget -= loop.time() - start
            await stage.send(Chunk(data, chunk.stamp))
            if not on_time:
                return
