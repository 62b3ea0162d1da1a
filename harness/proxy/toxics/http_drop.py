from typing import Any

from harness.proxy.toxics.base import CloseConnection, Toxic


class HttpDrop(Toxic):
    """Drop (close, or reset) the first `requests` connections' requests on this proxy (upstream).
    Counted per toxic, across connections: each connection counts once, at its first request bytes."""

    type = "faultline.http_drop"
    defaults = {"requests": 0}
    extension = True

    def __init__(self, *args: Any, **kw: Any) -> None:
        mode = (args[3] if len(args) > 3 else kw.get("attributes", {})).get("mode", "close")
        super().__init__(*args, **kw)
        self.attributes["mode"] = mode
        self.dropped = 0

    @classmethod
    def validate(cls, a: dict[str, Any]) -> None:
        from harness.proxy.toxics.base import ToxicError

        if a.get("mode", "close") not in ("close", "reset"):
            raise ToxicError("faultline.http_drop mode must be close or reset")

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        st = self.state(conn)
        if "drop" not in st:
            st["drop"] = self.dropped < self.attributes["requests"]
            if st["drop"]:
                self.dropped += 1
        if st["drop"]:
            conn.record(f"{self.name}: dropped request {self.dropped}")
            raise CloseConnection(reset=self.attributes["mode"] == "reset", detail="http_drop")
        return [chunk]
