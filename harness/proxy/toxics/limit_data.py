from typing import Any

from harness.proxy.toxics.base import CloseConnection, Toxic


class LimitData(Toxic):
    """Forward at most `bytes` bytes per connection and direction, then close."""

    type = "limit_data"
    defaults = {"bytes": 0}

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        st = self.state(conn)
        sent = st.get("sent", 0)
        room = self.attributes["bytes"] - sent
        if len(chunk) >= room:
            raise CloseConnection(chunk[:max(0, room)], detail=f"limit_data: {self.attributes['bytes']} bytes")
        st["sent"] = sent + len(chunk)
        return [chunk]
