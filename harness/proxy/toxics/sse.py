"""SSE-aware toxics (downstream): cut or stall the connection at an exact SSE event boundary, or a
number of content bytes into the next event (the framing is in framing.py)."""

from __future__ import annotations

from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import Chunk, End
from harness.proxy.toxics.base import Toxic
from harness.proxy.toxics.framing import SseEvents


class SseCutToxic(Toxic[attrs.SseCut]):
    """Closes the connection right after `events` complete SSE events (or `offset` content bytes into
    the next one) of that connection; with `times` > 0, at most that many connections are cut."""

    attributes_type = attrs.SseCut

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.cuts = 0  # connections cut so far, over the toxic's life

    def new_state(self) -> SseEvents:
        return SseEvents()

    def hit(self, events: int, into: int) -> bool:
        want, offset = self.attributes.events, self.attributes.offset
        return events >= want and (into >= offset if offset else into == 0)

    async def pipe(self, stage: Any) -> None:
        sse: SseEvents = stage.state
        while (chunk := await stage.recv()) is not None:
            times = self.attributes.times
            cut = None if times and self.cuts >= times else sse.scan(chunk.data, self.hit)
            if cut is None:
                await stage.send(chunk)
                continue
            self.cuts += 1
            into = f" + {self.attributes.offset} bytes" if self.attributes.offset else ""
            stage.record(f"{self.name}: cut after {self.attributes.events} events{into}")
            await stage.send(Chunk(chunk.data[:cut], chunk.stamp))
            await stage.close(End(detail=f"sse_cut after {self.attributes.events} events"))
            return


class SseStallToxic(Toxic[attrs.SseStall]):
    """Holds the stream right after `events` complete SSE events of the connection, until the toxic
    is removed (or updated); then the rest flows on, nothing lost."""

    attributes_type = attrs.SseStall

    def new_state(self) -> dict[str, Any]:
        return {"sse": SseEvents(), "stalled": False}

    async def pipe(self, stage: Any) -> None:
        st = stage.state
        while (chunk := await stage.recv()) is not None:
            at = None if st["stalled"] else st["sse"].scan(
                chunk.data, lambda events, into: events >= self.attributes.events and into == 0)
            if at is None:
                await stage.send(chunk)
                continue
            st["stalled"] = True
            stage.record(f"{self.name}: stall after {self.attributes.events} events")
            await stage.send(Chunk(chunk.data[:at], chunk.stamp))
            await stage.hold()
            if at < len(chunk.data):
                await stage.send(Chunk(chunk.data[at:], chunk.stamp))
            return
