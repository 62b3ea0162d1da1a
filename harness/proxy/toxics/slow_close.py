from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import End
from harness.proxy.toxics.base import Toxic


class SlowCloseToxic(Toxic[attrs.SlowClose]):
    """Data passes; when the source ends, the end (and so the close) is held back `delay` ms.
    Interrupted while holding it, it closes at once."""

    attributes_type = attrs.SlowClose

    async def on_end(self, stage: Any, end: End) -> None:
        await stage.wait(self.attributes.delay / 1000)
        await stage.close(end)
