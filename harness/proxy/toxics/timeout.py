from typing import Any

import anyio

from harness.proxy.toxics.base import Toxic


class Timeout(Toxic):
    """Drops all data of its direction; closes the connection after `timeout` ms with no chunk (0:
    never on its own). Removing it closes every connection it was attached to."""

    type = "timeout"
    defaults = {"timeout": 0}

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.attached: set[Any] = set()

    def on_added(self, conns: list[Any]) -> None:
        for c in conns:
            self.arm(c)

    def arm(self, conn: Any) -> None:
        if conn in self.attached:
            return
        self.attached.add(conn)
        if self.attributes["timeout"] > 0:
            conn.spawn(self._watch(conn))

    async def _watch(self, conn: Any) -> None:
        st = self.state(conn)
        while not self.removed.is_set():
            st["armed"] = False
            with anyio.move_on_after(self.attributes["timeout"] / 1000):
                await self.removed.wait()
            if not st.get("armed") and not self.removed.is_set():
                conn.close(detail="timeout toxic")
                return

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        self.arm(conn)
        self.state(conn)["armed"] = True
        return []

    def on_removed(self, conns: list[Any]) -> None:
        super().on_removed(conns)
        for c in self.attached:
            c.close(detail="timeout toxic removed")
