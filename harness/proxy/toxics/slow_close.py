from typing import Any

import anyio

from harness.proxy.toxics.base import Toxic


class SlowClose(Toxic):
    """Data passes; when the source ends, the close waits `delay` ms."""

    type = "slow_close"
    defaults = {"delay": 0}

    async def on_eof(self, conn: Any) -> None:
        with anyio.move_on_after(self.attributes["delay"] / 1000):
            await self.removed.wait()
