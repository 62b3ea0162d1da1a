import random
from typing import Any

import anyio

from harness.proxy.toxics.base import Toxic


class Latency(Toxic):
    """Each chunk waits `latency` ± `jitter` ms (from its arrival); removal releases it at once."""

    type = "latency"
    defaults = {"latency": 0, "jitter": 0}

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        a = self.attributes
        delay = max(0.0, a["latency"] + random.uniform(-a["jitter"], a["jitter"])) / 1000
        with anyio.move_on_after(delay):
            await self.removed.wait()
        return [chunk]
