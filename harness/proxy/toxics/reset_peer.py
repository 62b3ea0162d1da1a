from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import End
from harness.proxy.toxics.base import Toxic


class ResetPeerToxic(Toxic[attrs.ResetPeer]):
    """At the first chunk (or the end) of its direction, waits `timeout` ms, drops that chunk and
    resets the connection (RST on both sockets). Interrupted during the wait, it sends the chunk on
    and resets nothing (Toxiproxy cannot interrupt that wait: its removal blocks until the reset)."""

    attributes_type = attrs.ResetPeer

    async def pipe(self, stage: Any) -> None:
        chunk = await stage.recv()
        if chunk is None:
            return
        if not await stage.wait(self.attributes.timeout / 1000):
            await stage.send(chunk)
            return
        await stage.close(End(reset=True, detail="reset_peer"))

    async def on_end(self, stage: Any, end: End) -> None:
        await stage.wait(self.attributes.timeout / 1000)
        await stage.close(End(reset=True, detail="reset_peer"))
