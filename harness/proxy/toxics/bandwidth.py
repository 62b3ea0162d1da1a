from typing import Any

import anyio

from harness.proxy.toxics.base import Toxic


class Bandwidth(Toxic):
    """At most `rate` KB/s (1 KB = 1000 bytes) per connection and direction; rate 0 stalls until removed."""

    type = "bandwidth"
    defaults = {"rate": 0}

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        rate = self.attributes["rate"]
        if rate == 0:
            await self.removed.wait()
            return [chunk]
        out = []
        step = rate * 100  # bytes per 100 ms
        for i in range(0, len(chunk), step):
            piece = chunk[i:i + step]
            with anyio.move_on_after(len(piece) / (rate * 1000)):
                await self.removed.wait()
            out.append(piece)
        return out
