from typing import Any

import anyio

from harness.proxy.toxics.base import CloseConnection, Toxic


class ResetPeer(Toxic):
    """On the first chunk (or EOF) of its direction, wait `timeout` ms, drop the chunk and reset (RST)."""

    type = "reset_peer"
    defaults = {"timeout": 0}

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        await anyio.sleep(self.attributes["timeout"] / 1000)
        raise CloseConnection(reset=True, detail="reset_peer")

    async def on_eof(self, conn: Any) -> None:
        await anyio.sleep(self.attributes["timeout"] / 1000)
        raise CloseConnection(reset=True, detail="reset_peer")
