"""The history: every HTTP exchange, SSE event, client answer, fault and verdict of one run.

It is the only thing the client, the nemesis and the checks share. Records are typed (pydantic,
discriminated by `kind`), numbered by `seq` in the order they were appended, timed by `t`
(seconds since the history was opened, monotonic clock), and saved as JSONL, one record a line.

Vocabulary:
- an *exchange* (`x`) is one HTTP request and everything that came back on it: a `request`
  record, then a `response` record (status + headers), then zero or more `sse` records or one
  JSON body, then an `end` record saying how it ended (eof, cut by a fault, timeout, ...).
- a *client* is one logical MCP client (`"A"`, `"B"`): scenarios with two sessions use two.
- a *stream* is one logical SSE stream as the client sees it: `"post:<json-rpc id>"` for a
  POST's response stream (across all its resumptions) and `"get"` for the standalone GET stream.
  A resuming GET carries the stream it claims to resume (the one whose event id it presents);
  checks verify what actually came back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

JSON = Any


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int = -1
    t: float = 0.0


class Meta(_Record):
    """The first record of a history: what ran, against what."""

    kind: Literal["meta"] = "meta"
    scenario: str
    revision: str
    target: str = ""
    profile: str = ""
    harness_version: str = ""
    started_at: float = 0.0  # wall clock (time.time()) at open
    params: dict[str, JSON] = Field(default_factory=dict)


class Request(_Record):
    """An HTTP request the client sent."""

    kind: Literal["request"] = "request"
    x: int  # exchange id, unique in the history
    client: str = "A"
    method: str  # HTTP method
    url: str
    headers: dict[str, str] = Field(default_factory=dict)  # lower-cased names
    body: JSON = None  # parsed JSON body, or None
    stream: str | None = None  # logical stream this exchange opens or resumes
    purpose: str = ""  # "initialize", "call", "resume", "answer", "delete", "probe", ...


class Response(_Record):
    """Status line and headers of the answer to an exchange's request."""

    kind: Literal["response"] = "response"
    x: int
    status: int
    headers: dict[str, str] = Field(default_factory=dict)  # lower-cased names
    content_type: str = ""  # media type without parameters
    body: JSON = None  # parsed JSON body for application/json answers
    body_text: str = ""  # first bytes of a non-JSON (or unparseable) body


class SseEvent(_Record):
    """One complete SSE event as dispatched by the parser."""

    kind: Literal["sse"] = "sse"
    x: int
    n: int  # index of this event within its exchange, from 0
    id: str | None = None
    event: str = "message"
    data: str = ""
    retry: int | None = None
    message: JSON = None  # data parsed as JSON-RPC, None for priming/empty/unparseable data
    stream: str | None = None  # the logical stream the client attributes it to


class End(_Record):
    """How an exchange ended."""

    kind: Literal["end"] = "end"
    x: int
    reason: Literal["eof", "cut", "reset", "timeout", "client-close", "error", "limit", "held-open"]
    # held-open: the call's response arrived and the server kept the stream open past the client's grace
    detail: str = ""
    bytes: int = 0


class Answer(_Record):
    """The client's reply to a server->client request (elicitation, sampling, roots, MRTR round)."""

    kind: Literal["answer"] = "answer"
    client: str = "A"
    x: int | None = None  # exchange the server request arrived on (None for MRTR rounds)
    request_id: JSON = None  # JSON-RPC id of the server's request, or the MRTR inputRequests key
    method: str
    reply: JSON = None  # the JSON-RPC result or error object sent back
    script: str = ""  # which scripted answer produced it ("accept", "decline", "reject", ...)


class Fault(_Record):
    """Something the nemesis did: a toxic added or removed, a cut, a restart, network down/up."""

    kind: Literal["fault"] = "fault"
    action: str  # "add", "remove", "cut", "restart", "down", "up", ...
    proxy: str = ""
    toxic: dict[str, JSON] = Field(default_factory=dict)  # name, type, stream, attributes
    detail: str = ""


class Note(_Record):
    """A free-form step of the scenario (what it is about to do), for reports and witnesses."""

    kind: Literal["note"] = "note"
    text: str
    data: dict[str, JSON] = Field(default_factory=dict)


Status = Literal["PASS", "FAIL", "WARN", "NOT-APPLICABLE", "NOT-OBSERVED", "ERROR"]


class Verdict(_Record):
    """A check's outcome over a history. Only PASS counts as a pass."""

    kind: Literal["verdict"] = "verdict"
    scenario: str = ""
    check: str
    requirement: str
    revision: str
    level: str  # MUST, MUST NOT, SHOULD, SHOULD NOT, implied ...
    status: Status
    message: str = ""
    witness: list[int] = Field(default_factory=list)  # seq numbers of the records that prove it
    spec: str = ""  # file and section quoted


Record = Annotated[
    Meta | Request | Response | SseEvent | End | Answer | Fault | Note | Verdict,
    Field(discriminator="kind"),
]
_RECORD = TypeAdapter(Record)


def parse_record(obj: dict[str, JSON] | str) -> Record:
    """Validate one record from a dict or a JSON line."""
    if isinstance(obj, str):
        return _RECORD.validate_json(obj)
    return _RECORD.validate_python(obj)


class History:
    """An append-only list of records. Appends number and time the record."""

    def __init__(self, records: Iterable[Record] = (), *, clock: Any = time.monotonic) -> None:
        self.records: list[Record] = []
        self._clock = clock
        self._t0 = clock()
        self._next_x = 0
        for r in records:
            self.records.append(r)
            x = getattr(r, "x", None)
            if isinstance(x, int) and x >= self._next_x:
                self._next_x = x + 1

    # -- writing -----------------------------------------------------------------------------
    def now(self) -> float:
        return round(self._clock() - self._t0, 6)

    def new_exchange(self) -> int:
        x = self._next_x
        self._next_x += 1
        return x

    def append(self, record: Record) -> Record:
        record.seq = len(self.records)
        if record.t == 0.0:
            record.t = self.now()
        self.records.append(record)
        return record

    def note(self, text: str, **data: JSON) -> Note:
        return self.append(Note(text=text, data=data))  # type: ignore[return-value]

    # -- reading -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, seq: int) -> Record:
        return self.records[seq]

    @property
    def meta(self) -> Meta | None:
        for r in self.records:
            if isinstance(r, Meta):
                return r
        return None

    def of(self, kind: type[Any]) -> list[Any]:
        return [r for r in self.records if isinstance(r, kind)]

    def exchange(self, x: int) -> list[Record]:
        return [r for r in self.records if getattr(r, "x", None) == x and not isinstance(r, Answer)]

    def request(self, x: int) -> Request | None:
        for r in self.records:
            if isinstance(r, Request) and r.x == x:
                return r
        return None

    def response(self, x: int) -> Response | None:
        for r in self.records:
            if isinstance(r, Response) and r.x == x:
                return r
        return None

    def events(self, x: int | None = None) -> list[SseEvent]:
        return [r for r in self.records if isinstance(r, SseEvent) and (x is None or r.x == x)]

    def end(self, x: int) -> End | None:
        for r in self.records:
            if isinstance(r, End) and r.x == x:
                return r
        return None

    def verdicts(self) -> list[Verdict]:
        return self.of(Verdict)

    # -- JSONL -------------------------------------------------------------------------------
    def dumps(self) -> str:
        return "".join(r.model_dump_json() + "\n" for r in self.records)

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.dumps(), encoding="utf-8")
        return p

    @classmethod
    def loads(cls, text: str) -> History:
        records = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(parse_record(line))
            except ValidationError as exc:  # re-raised as one line: the line number and what was expected
                raise HistoryFormatError(f"line {lineno}: {record_problem(line, exc)}") from None
        return cls(records)

    @classmethod
    def load(cls, path: str | Path) -> History:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise HistoryFormatError(f"cannot read {p}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise HistoryFormatError(f"{p}: not UTF-8 text (byte {exc.start}): not a Faultline history") from None
        try:
            return cls.loads(text)
        except HistoryFormatError as exc:
            raise HistoryFormatError(f"{p}: {exc}") from exc


class HistoryFormatError(ValueError):
    """A history file that is not valid Faultline JSONL (a user error: reported in one line)."""


KINDS: tuple[str, ...] = tuple(c.model_fields["kind"].default for c in get_args(get_args(Record)[0]))


def record_problem(line: str, exc: ValidationError) -> str:
    """What is wrong with one JSONL line, in words (no library dump): not JSON, not an object, no or an
    unknown `kind`, or the first field that is missing, unexpected or of the wrong type."""
    try:
        obj = json.loads(line)
    except ValueError as jexc:
        where = f" at column {jexc.colno}" if isinstance(jexc, json.JSONDecodeError) else ""
        return f"not JSON{where}: expected one JSON object (a history record) per line"
    if not isinstance(obj, dict):
        return f"expected a JSON object (a history record), got {type(obj).__name__}"
    if "kind" not in obj:
        return f"a record without 'kind': expected one of {', '.join(KINDS)}"
    if obj["kind"] not in KINDS:
        return f"unknown kind {obj['kind']!r}: expected one of {', '.join(KINDS)}"
    errors = exc.errors()
    first = errors[0]
    field = ".".join(str(p) for p in first["loc"][1:]) or "(record)"
    if first["type"] == "missing":
        what = f"missing field {field!r}"
    elif first["type"] == "extra_forbidden":
        what = f"unexpected field {field!r}"
    else:
        what = f"field {field!r}: {first['msg']}"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"a {obj['kind']!r} record: {what}{more}"


def jsonrpc(record: Request | Response | SseEvent) -> list[dict[str, JSON]]:
    """The JSON-RPC messages a record carries (a body may be one message or, rarely, a batch)."""
    payload = record.message if isinstance(record, SseEvent) else record.body
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list):
        return [m for m in payload if isinstance(m, dict)]
    return []


def dumps_compact(obj: JSON) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)
