from dataclasses import dataclass
from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import Chunk, End
from harness.proxy.toxics.base import Toxic


@dataclass
class Sent:
    bytes: int = 0


class LimitDataToxic(Toxic[attrs.LimitData]):
    """Forwards at most `bytes` bytes per connection and direction: the chunk that crosses the limit
    is cut to the exact remainder, then the connection closes (0 or less: at the first chunk, with
    nothing sent). The count survives updates; a newly added toxic counts from 0."""

    attributes_type = attrs.LimitData

    def new_state(self) -> Sent:
        return Sent()

    async def pipe(self, stage: Any) -> None:
        sent: Sent = stage.state
        while (chunk := await stage.recv()) is not None:
            piece = chunk.data[:max(0, self.attributes.bytes - sent.bytes)]
            if piece:
                await stage.send(Chunk(piece, chunk.stamp))
                sent.bytes += len(piece)
            if sent.bytes >= self.attributes.bytes:
                await stage.close(End(detail=f"limit_data: {self.attributes.bytes} bytes"))
                return
