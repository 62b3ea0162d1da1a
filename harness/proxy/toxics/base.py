"""What every toxic shares. A Toxic is the API object (name, stream, toxicity, typed attributes),
shared by every connection of its proxy; `pipe` runs it on one Stage of one link (harness/proxy/link.py):
it receives chunks from the stage's input, sends what it lets through to the stage's output, and
returns when the stage is interrupted (after sending any chunk it holds: nothing is dropped) or closed.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from harness.proxy.attributes import ToxicAttributes
from harness.proxy.stream import End

# The toxics' own random numbers: the global generator is Hypothesis's while the fuzzer runs (it seeds it per example
# and warns when another fuzz worker's thread moved it)
RNG = random.Random()

if TYPE_CHECKING:
    from harness.proxy.link import Stage

A = TypeVar("A", bound=ToxicAttributes)


class Toxic(Generic[A]):
    attributes_type: ClassVar[type[ToxicAttributes]]
    buffer_size: ClassVar[int] = 1  # chunks the channel in front of this toxic holds (latency: 1024, as Toxiproxy)

    def __init__(self, name: str, stream: str, toxicity: float, attributes: A) -> None:
        self.name = name
        self.stream = stream  # as the client sent it (Toxiproxy echoes it, case included)
        self.direction = stream.lower()
        self.toxicity = toxicity
        self.attributes = attributes

    @property
    def type(self) -> str:
        return self.attributes_type.type

    def roll(self) -> bool:
        """Toxicity is drawn each time a stage starts running the toxic: once per connection and
        direction, and again when an update restarts the stage."""
        return self.toxicity >= 1 or RNG.random() < self.toxicity

    def new_state(self) -> Any:
        """Per-link state, kept while the stage restarts (limit_data's count, an SSE parser)."""
        return None

    async def pipe(self, stage: Stage) -> None:
        """Pass-through; subclasses change what happens to each chunk."""
        while (chunk := await stage.recv()) is not None:
            await stage.send(chunk)

    async def on_end(self, stage: Stage, end: End) -> None:
        """The stream ended before this toxic: pass the end on (the link then closes the connection)."""
        await stage.close(end)

    def cleanup(self, stage: Stage) -> bool:
        """Runs when the toxic is removed from a live link; True if it closed the stage."""
        return False

    def model(self) -> dict[str, Any]:
        toxicity: float | int = int(self.toxicity) if float(self.toxicity).is_integer() else self.toxicity
        return {"attributes": self.attributes.wire(), "name": self.name, "type": self.type, "stream": self.stream,
                "toxicity": toxicity}

