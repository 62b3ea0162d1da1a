from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import Chunk, End
from harness.proxy.toxics.base import Toxic
from harness.proxy.toxics.framing import HttpFraming


class HttpDropToxic(Toxic[attrs.HttpDrop]):
    """Drops the next `requests` HTTP messages of its direction (upstream: requests, downstream:
    responses), counted across connections: at such a message's first byte nothing more is
    forwarded and the connection closes (mode close) or resets (mode reset)."""

    attributes_type = attrs.HttpDrop

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.dropped = 0  # messages dropped so far, over the toxic's life

    def new_state(self) -> HttpFraming:
        return HttpFraming("request" if self.direction == "upstream" else "response")

    async def pipe(self, stage: Any) -> None:
        framing: HttpFraming = stage.state
        while (chunk := await stage.recv()) is not None:
            starts = [a for kind, a, _ in framing.feed(chunk.data) if kind == "start"]
            if not starts or self.dropped >= self.attributes.requests:
                await stage.send(chunk)
                continue
            self.dropped += 1
            what = "request" if self.direction == "upstream" else "response"
            stage.record(f"{self.name}: dropped {what} {self.dropped}")
            if starts[0]:
                await stage.send(Chunk(chunk.data[:starts[0]], chunk.stamp))
            await stage.close(End(reset=self.attributes.mode == "reset", detail="http_drop"))
            return
