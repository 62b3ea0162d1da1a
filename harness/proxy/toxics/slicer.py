import random
from typing import Any

import anyio

from harness.proxy.toxics.base import Toxic, ToxicError


class Slicer(Toxic):
    """Split each chunk into pieces of about `average_size` ± `size_variation` bytes, `delay` µs apart."""

    type = "slicer"
    defaults = {"average_size": 0, "size_variation": 0, "delay": 0}

    @classmethod
    def validate(cls, a: dict[str, Any]) -> None:
        if a["average_size"] < 1:
            raise ToxicError("slicer average_size must be at least 1 (0 crashes Toxiproxy)")
        if a["size_variation"] >= a["average_size"]:
            raise ToxicError("slicer size_variation must be smaller than average_size")

    def _cuts(self, data: bytes) -> list[bytes]:
        a = self.attributes
        if len(data) <= a["average_size"] + a["size_variation"]:
            return [data]
        mid = len(data) // 2 + random.randint(-a["size_variation"], a["size_variation"])
        mid = min(max(1, mid), len(data) - 1)
        return self._cuts(data[:mid]) + self._cuts(data[mid:])

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        pieces = self._cuts(chunk)
        out = []
        for i, p in enumerate(pieces):
            if self.removed.is_set():
                out.append(b"".join(pieces[i:]))
                break
            await conn.push(self.stream, p, after=self)
            await anyio.sleep(self.attributes["delay"] / 1_000_000)
        return out
