"""THE Server-Sent Events parser: incremental and bounded, bytes in, events out (WHATWG event-stream
rules). The recording client, the SDK recorder, the orchestrator and the tests all read SSE with it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_LINE_BYTES = 8 * 1024 * 1024  # one line (a `data:` line carries a whole JSON-RPC message)
MAX_EVENT_BYTES = 8 * 1024 * 1024  # one event's data


_EOL = re.compile(rb"[\r\n]")


class SseLimitError(Exception):
    """A line or an event exceeded the documented limit (a hostile or broken server)."""


@dataclass
class SseMessage:
    id: str | None
    event: str
    data: str
    retry: int | None

    @property
    def priming(self) -> bool:
        """An MCP priming event: an id to resume from (and maybe a retry hint), no message."""
        return self.id is not None and not self.data.strip()

    def message(self) -> dict[str, Any] | list[Any] | None:
        """The JSON-RPC message (or batch) the event carries; None when its data is empty or not JSON."""
        if not self.data.strip():
            return None
        try:
            parsed = json.loads(self.data)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict | list) else None


class SseParser:
    """Feed raw bytes; get complete events. CRLF, CR and LF end lines; a BOM is skipped; comments
    are ignored; `id` with NUL is ignored; `retry` must be digits. Memory is bounded by the limits."""

    def __init__(self, *, max_line: int = MAX_LINE_BYTES, max_event: int = MAX_EVENT_BYTES) -> None:
        self.max_line, self.max_event = max_line, max_event
        self._buf = bytearray()
        self._first = True
        self._cr = False
        self._scanned = 0
        self._reset()

    def _reset(self) -> None:
        self._data: list[str] = []
        self._size = 0
        self._id: str | None = None
        self._event = ""
        self._retry: int | None = None
        self._seen = False

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete event."""
        return len(self._buf) + self._size

    def feed(self, chunk: bytes) -> list[SseMessage]:
        out: list[SseMessage] = []
        if self._cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split across reads
        self._cr = False
        self._buf += chunk
        if self._first and len(self._buf) >= 3:
            if self._buf.startswith(b"\xef\xbb\xbf"):
                del self._buf[:3]
            self._first = False
        start = 0
        buf = self._buf
        i = self._scanned
        while (m := _EOL.search(buf, i)) is not None:
            i = m.start()
            line = bytes(buf[start:i])
            if buf[i] == 0x0D:
                if i + 1 < len(buf) and buf[i + 1] == 0x0A:
                    i += 1
                elif i + 1 == len(buf):
                    self._cr = True
            i += 1
            start = i
            ev = self._line(line)
            if ev is not None:
                out.append(ev)
        del self._buf[:start]
        self._scanned = len(self._buf)  # resume the line-end search here: linear in the bytes read
        if len(self._buf) > self.max_line:
            self._buf.clear()
            raise SseLimitError(f"an SSE line exceeded {self.max_line} bytes without a line end")
        return out

    def _line(self, raw: bytes) -> SseMessage | None:
        line = raw.decode("utf-8", "replace")
        if line == "":
            if not self._seen:
                return None
            ev = SseMessage(self._id, self._event or "message", "\n".join(self._data), self._retry)
            self._reset()
            return ev
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._size += len(value) + 1
            if self._size > self.max_event:
                self._reset()
                raise SseLimitError(f"an SSE event exceeded {self.max_event} bytes")
            self._data.append(value)
            self._seen = True
        elif name == "id":
            if "\x00" not in value:
                self._id = value
                self._seen = True
        elif name == "event":
            self._event = value
            self._seen = True
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
                self._seen = True
        return None


def parse_all(raw: bytes) -> list[SseMessage]:
    """Every complete event of a whole SSE body (an unterminated last event is dropped, as the spec says)."""
    return SseParser().feed(raw)
