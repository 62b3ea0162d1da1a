from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import Chunk
from harness.proxy.toxics.base import RNG, Toxic


class SlicerToxic(Toxic[attrs.Slicer]):
    """Splits each chunk by recursive halving (the midpoint jittered by ± `size_variation`) until no
    piece is longer than `average_size` + `size_variation`; the pieces leave in order, `delay` µs
    after each. Interrupted, it sends the rest of the chunk as one piece."""

    attributes_type = attrs.Slicer

    def cuts(self, data: bytes) -> list[bytes]:
        a = self.attributes
        if len(data) <= a.average_size + a.size_variation:
            return [data]
        mid = len(data) // 2 + (RNG.randint(-a.size_variation, a.size_variation) if a.size_variation else 0)
        mid = min(max(1, mid), len(data) - 1)
        return self.cuts(data[:mid]) + self.cuts(data[mid:])

    async def pipe(self, stage: Any) -> None:
        while (chunk := await stage.recv()) is not None:
            pieces = self.cuts(chunk.data)
            for i, piece in enumerate(pieces):
                await stage.send(Chunk(piece, chunk.stamp))
                if not await stage.wait(self.attributes.delay / 1_000_000):
                    rest = b"".join(pieces[i + 1:])
                    if rest:
                        await stage.send(Chunk(rest, chunk.stamp))
                    return
