from typing import Any

from harness.proxy import attributes as attrs
from harness.proxy.stream import End
from harness.proxy.toxics.base import Toxic


class TimeoutToxic(Toxic[attrs.Timeout]):
    """Drops all data of its direction. With `timeout` > 0 it closes the connection after that many
    ms with no incoming chunk (each dropped chunk, and each restart, starts the wait again); with 0
    or less it never closes on its own. It closes at once if the source ends. Removing it closes
    every connection it was on, whatever its toxicity draw (stale bytes must not reach the peer)."""

    attributes_type = attrs.Timeout

    async def pipe(self, stage: Any) -> None:
        timeout = self.attributes.timeout / 1000 if self.attributes.timeout > 0 else None
        try:
            while await stage.recv(timeout) is not None:
                pass
        except TimeoutError:
            await stage.close(End(detail=f"timeout toxic: {self.attributes.timeout} ms without data"))

    def cleanup(self, stage: Any) -> bool:
        stage.closed = True
        stage.output.put_nowait(End(detail="timeout toxic removed"))
        return True
