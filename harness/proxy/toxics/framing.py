"""HTTP/1.1 message framing and SSE event boundaries on a raw byte stream, for the toxics that act
at message or event boundaries (faultline.sse_cut, faultline.sse_stall, faultline.http_drop).

`HttpFraming` follows the messages of one direction of a connection (requests upstream, responses
downstream) byte-exactly across chunks: where each message starts, where its head ends, which raw
bytes are body payload (Content-Length, chunked or close-delimited bodies; a chunked body is
de-chunked, as uvicorn streams SSE that way). It knows nothing of MCP. A toxic added to a connection
in the middle of a message cannot know where it is: a chunk that does not begin like a message
puts the framing in the `lost` state until a chunk does, so it never counts garbage.

`SseEvents` counts complete SSE events (a blank line after content) in `text/event-stream` bodies,
per connection, across the responses it carries, and finds the raw offset where a count is reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

CR, LF = 0x0D, 0x0A
Kind = Literal["request", "response"]
Mark = tuple[Literal["start", "head", "payload"], int, int]


class HttpFraming:
    """Feed raw bytes of one direction; get marks: ("start", i, i) at a message's first byte,
    ("head", i, i) just after its head, ("payload", a, b) for body bytes data[a:b]."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.state = "start"  # start | head | length | close | size | data | crlf | trailer | lost
        self.messages = 0  # messages started so far
        self.content_type = ""  # of the current message
        self._buf = bytearray()  # the head, or a chunk-size / trailer line, so far
        self._remaining = 0

    def _starts_message(self, byte: int) -> bool:
        return byte == ord("H") if self.kind == "response" else ord("A") <= byte <= ord("Z")

    def feed(self, data: bytes) -> Iterator[Mark]:
        """The marks of `data`, lazily: at a "head" mark, `content_type` is that message's."""
        marks: list[Mark] = []
        if self.state == "lost" and data and self._starts_message(data[0]):
            self.state = "start"
        i, n = 0, len(data)
        while i < n and self.state != "lost":
            i = getattr(self, f"_{self.state}")(data, i, marks)
            yield from marks
            marks.clear()

    def _start(self, data: bytes, i: int, marks: list[Mark]) -> int:
        if data[i] in (CR, LF):  # blank lines between messages are tolerated
            return i + 1
        if not self._starts_message(data[i]):
            self.state = "lost"
            return i
        marks.append(("start", i, i))
        self.messages += 1
        self.state = "head"
        self._buf.clear()
        return i

    def _head(self, data: bytes, i: int, marks: list[Mark]) -> int:
        before = len(self._buf)
        self._buf += data[i:]
        end = self._buf.find(b"\r\n\r\n", max(0, before - 3))
        if end < 0:
            return len(data)
        head = bytes(self._buf[:end])
        self._buf.clear()
        i += end + 4 - before
        marks.append(("head", i, i))
        self._begin_body(head)
        return i

    def _begin_body(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        fields = {k.strip().lower(): v.strip().lower() for k, _, v in (ln.partition(b":") for ln in lines[1:])}
        self.content_type = fields.get(b"content-type", b"").decode("latin-1")
        if self.kind == "response":
            parts = lines[0].split(b" ")
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 200
            if status == 101:
                self.state = "close"  # another protocol from here on: no more HTTP framing
                return
            if 100 <= status < 200 or status in (204, 304):
                self.state = "start"
                return
        if b"chunked" in fields.get(b"transfer-encoding", b""):
            self.state = "size"
        elif fields.get(b"content-length", b"").isdigit():
            self._remaining = int(fields[b"content-length"])
            self.state = "length" if self._remaining else "start"
        else:
            self.state = "close" if self.kind == "response" else "start"

    def _length(self, data: bytes, i: int, marks: list[Mark]) -> int:
        take = min(self._remaining, len(data) - i)
        marks.append(("payload", i, i + take))
        self._remaining -= take
        if self._remaining == 0:
            self.state = "start" if self.state == "length" else "crlf"
            self._remaining = 2
        return i + take

    _data = _length  # a chunk's data, then its CRLF

    def _close(self, data: bytes, i: int, marks: list[Mark]) -> int:
        marks.append(("payload", i, len(data)))
        return len(data)

    def _line(self, data: bytes, i: int) -> tuple[bytes | None, int]:
        end = data.find(b"\n", i)
        if end < 0:
            self._buf += data[i:]
            return None, len(data)
        self._buf += data[i:end + 1]
        line = bytes(self._buf).strip()
        self._buf.clear()
        return line, end + 1

    def _size(self, data: bytes, i: int, marks: list[Mark]) -> int:
        line, i = self._line(data, i)
        if line is not None:
            try:
                size = int(line.split(b";")[0] or b"0", 16)
            except ValueError:
                self.state = "lost"
                return i
            self.state, self._remaining = ("data", size) if size else ("trailer", 0)
        return i

    def _crlf(self, data: bytes, i: int, marks: list[Mark]) -> int:
        take = min(self._remaining, len(data) - i)
        self._remaining -= take
        if self._remaining == 0:
            self.state = "size"
        return i + take

    def _trailer(self, data: bytes, i: int, marks: list[Mark]) -> int:
        line, i = self._line(data, i)
        if line == b"":
            self.state = "start"
        return i


class SseEvents:
    """SSE events of the responses on one connection (downstream bytes)."""

    def __init__(self) -> None:
        self.http = HttpFraming("response")
        self.events = 0  # complete events so far
        self.into_next = 0  # content bytes (not line ends) of the event under way
        self._in_sse = False
        self._line_empty = True
        self._prev_cr = False

    def scan(self, data: bytes, hit: Callable[[int, int], bool]) -> int | None:
        """Consume `data`; the raw offset just after the first byte at which hit(events, into_next)
        holds (an event completed by CR takes the LF after it along), or None."""
        found: int | None = None
        for kind, a, b in self.http.feed(data):
            if kind == "head":
                self._in_sse = self.http.content_type.startswith("text/event-stream")
                self._line_empty, self._prev_cr, self.into_next = True, False, 0
            elif kind == "payload" and self._in_sse:
                for j in range(a, b):
                    self._byte(data[j])
                    if found is None and hit(self.events, self.into_next):
                        found = j + 1
        if found is not None and data[found - 1] == CR and data[found:found + 1] == b"\n":
            found += 1
        return found

    def _byte(self, b: int) -> None:
        if b == LF and self._prev_cr:
            self._prev_cr = False
            return
        self._prev_cr = b == CR
        if b in (CR, LF):
            if self._line_empty and self.into_next > 0:
                self.events += 1
                self.into_next = 0
            self._line_empty = True
            return
        self._line_empty = False
        self.into_next += 1
