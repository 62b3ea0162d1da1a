"""An incremental Server-Sent Events parser: bytes in, complete events out.

Only what MCP's Streamable HTTP uses: `id`, `data` (joined with newlines), `retry` (ms), `event`;
comments (`:`) ignored; an event ends at a blank line (LF, CRLF or CR line ends). An event that
was never terminated when the stream ends is dropped, as the SSE spec says.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_EVENT_BYTES = 16 * 1024 * 1024  # one event larger than this is a broken stream, not a message


@dataclass
class SseEvent:
    id: str | None
    data: str
    event: str = "message"
    retry: int | None = None  # milliseconds


class SseError(ValueError):
    """The byte stream is not SSE we can read (an event over MAX_EVENT_BYTES)."""


class SseParser:
    def __init__(self) -> None:
        self._buf = b""
        self._reset()

    def _reset(self) -> None:
        self._id: str | None = None
        self._data: list[str] = []
        self._event = "message"
        self._retry: int | None = None
        self._seen = False

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._buf += chunk
        out: list[SseEvent] = []
        while True:
            cut = _line_end(self._buf)
            if cut is None:
                if len(self._buf) > MAX_EVENT_BYTES:
                    raise SseError(f"an SSE line longer than {MAX_EVENT_BYTES} bytes")
                return out
            end, after = cut
            line, self._buf = self._buf[:end].decode("utf-8", "replace"), self._buf[after:]
            if not line:
                if self._seen:
                    out.append(SseEvent(self._id, "\n".join(self._data), self._event, self._retry))
                self._reset()
                continue
            self._field(line)

    def _field(self, line: str) -> None:
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        self._seen = True
        if name == "id" and "\0" not in value:
            self._id = value
        elif name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value or "message"
        elif name == "retry" and value.isdigit():
            self._retry = int(value)


def _line_end(buf: bytes) -> tuple[int, int] | None:
    """(end of the first line, start of the next) or None when no complete line is buffered.
    A CR at the very end of the buffer waits for the next byte (it may be a CRLF)."""
    lf, cr = buf.find(b"\n"), buf.find(b"\r")
    if cr == -1 and lf == -1:
        return None
    if cr == -1 or (lf != -1 and lf < cr):
        return lf, lf + 1
    if cr + 1 < len(buf):
        return cr, cr + 2 if buf[cr + 1:cr + 2] == b"\n" else cr + 1
    return None
