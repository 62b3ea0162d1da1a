"""SSE-aware toxics (downstream only): count complete SSE events in HTTP response bodies and cut
or stall the connection at an exact event boundary. Bodies are de-chunked to count events (uvicorn
streams SSE with chunked transfer-encoding) while the cut is made on the raw byte stream."""

from __future__ import annotations

from typing import Any

from harness.proxy.toxics.base import CloseConnection, Toxic, ToxicError


class SseCounter:
    """Feeds raw HTTP/1.1 response bytes; reports raw offsets where SSE events (or `offset` bytes
    into the next event) complete. Counts per connection, across the responses it carries."""

    def __init__(self) -> None:
        self.events = 0
        self._head = bytearray()
        self._in_body = False
        self._chunked = False
        self._remaining = 0  # bytes left in the current chunk / content-length body
        self._size_line = bytearray()
        self._phase = "size"  # chunked: size | data | crlf
        self._line_empty = True  # SSE: the current line is empty so far
        self._prev_cr = False
        self.into_next = 0  # payload bytes seen after the last complete event

    def feed(self, data: bytes) -> list[tuple[int, int, int]]:
        """[(raw offset just after the byte, events completed so far, bytes into next event)] per payload byte
        that completes an event, plus progress markers are computed by callers through `scan`."""
        return self.scan(data)

    def scan(self, data: bytes) -> list[tuple[int, int, int]]:
        marks: list[tuple[int, int, int]] = []
        i, n = 0, len(data)
        while i < n:
            if not self._in_body:
                self._head.append(data[i])
                i += 1
                if self._head.endswith(b"\r\n\r\n"):
                    head = bytes(self._head).lower()
                    self._head.clear()
                    self._in_body = True
                    self._chunked = b"transfer-encoding: chunked" in head
                    self._remaining = -1
                    if not self._chunked:
                        for line in head.split(b"\r\n"):
                            if line.startswith(b"content-length:"):
                                self._remaining = int(line.split(b":", 1)[1].strip() or 0)
                        if self._remaining == 0:
                            self._in_body = False
                    self._phase = "size"
                continue
            if self._chunked and self._phase == "size":
                self._size_line.append(data[i])
                i += 1
                if self._size_line.endswith(b"\r\n"):
                    size = int(bytes(self._size_line[:-2]).split(b";")[0] or b"0", 16)
                    self._size_line.clear()
                    if size == 0:
                        self._phase = "trailer"
                        self._head = bytearray(b"\r\n")
                    else:
                        self._remaining, self._phase = size, "data"
                continue
            if self._chunked and self._phase == "trailer":
                self._head.append(data[i])
                i += 1
                if self._head.endswith(b"\r\n\r\n") or self._head == bytearray(b"\r\n\r\n"):
                    self._head.clear()
                    self._in_body = False
                continue
            if self._chunked and self._phase == "crlf":
                i += 1
                self._remaining -= 1
                if self._remaining <= 0:
                    self._phase = "size"
                continue
            # payload byte
            b = data[i]
            i += 1
            if self._remaining > 0:
                self._remaining -= 1
            if self._payload(b):
                marks.append((i, self.events, 0))
            elif self.into_next:
                marks.append((i, self.events, self.into_next))
            if self._chunked and self._remaining == 0:
                self._phase, self._remaining = "crlf", 2
            elif not self._chunked and self._remaining == 0:
                self._in_body = False
        return marks

    def _payload(self, b: int) -> bool:
        """Feed one SSE byte; True when it completes an event (a blank line after content)."""
        if b == 0x0A and self._prev_cr:
            self._prev_cr = False
            return False
        self._prev_cr = b == 0x0D
        if b in (0x0A, 0x0D):
            if self._line_empty and self.into_next > 0:
                self.events += 1
                self.into_next = 0
                return True
            self._line_empty = True
            return False
        self._line_empty = False
        self.into_next += 1
        return False


class SseCut(Toxic):
    """Cut the downstream right after `events` complete SSE events (or `offset` bytes into the next).
    `times` (default 0: no limit) cuts at most that many connections over the toxic's life."""

    type = "faultline.sse_cut"
    defaults = {"events": 0, "offset": 0, "times": 0}
    extension = True
    cuts = 0  # connections cut so far (per toxic instance)

    @classmethod
    def validate(cls, a: dict[str, Any]) -> None:
        if a["events"] < 1 and a["offset"] < 1:
            raise ToxicError("faultline.sse_cut needs events >= 1 (or an offset)")
        if a["times"] < 0:
            raise ToxicError("faultline.sse_cut needs times >= 0 (0: every connection)")

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        st = self.state(conn)
        counter = st.setdefault("counter", SseCounter())
        want, offset, times = self.attributes["events"], self.attributes["offset"], self.attributes["times"]
        if times and self.cuts >= times:
            return [chunk]
        for pos, events, into in counter.scan(chunk):
            if (offset == 0 and into == 0 and events >= want) or (offset and events >= want and into >= offset):
                self.cuts += 1
                conn.record(f"{self.name}: cut after {events} events" + (f" + {into} bytes" if into else ""))
                raise CloseConnection(chunk[:pos], detail=f"sse_cut after {events} events")
        return [chunk]


class SseStall(Toxic):
    """Hold the downstream after `events` complete SSE events until the toxic is removed."""

    type = "faultline.sse_stall"
    defaults = {"events": 0}
    extension = True

    async def apply(self, chunk: bytes, conn: Any) -> list[bytes]:
        st = self.state(conn)
        counter = st.setdefault("counter", SseCounter())
        for pos, events, into in counter.scan(chunk):
            if into == 0 and events >= self.attributes["events"] and not st.get("stalled"):
                st["stalled"] = True
                conn.record(f"{self.name}: stall after {events} events")
                await conn.push(self.stream, chunk[:pos], after=self)
                await self.removed.wait()
                rest = chunk[pos:]
                return [rest] if rest else []
        return [chunk]
