"""What the checks derive from a history once: calls, their exchanges, the reassembled logical
stream of each call across resumptions, where each event id was first seen, sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.history import Answer, End, Fault, History, Meta, Note, Request, Response, SseEvent
from harness.revisions import Revision, Traits, known
from mcp_wire.jsonrpc import is_response


@dataclass
class Call:
    key: tuple[str, Any]  # (session, json-rpc id)
    session: str
    client: str
    rpc_id: Any
    method: str
    params: dict[str, Any]
    request: Request
    xs: list[int] = field(default_factory=list)  # the POST, then its resumes, in order
    stream: list[SseEvent] = field(default_factory=list)  # reassembled across resumes
    answers: list[Answer] = field(default_factory=list)

    @property
    def token(self) -> Any:
        return ((self.params or {}).get("_meta") or {}).get("progressToken")

    @property
    def tool(self) -> tuple[str, str] | None:
        if self.method != "tools/call":
            return None
        import json

        return str(self.params.get("name")), json.dumps(self.params.get("arguments"), sort_keys=True)


@dataclass
class Standalone:
    """A session's standalone GET stream (2025-11-25): the plain GET that opened it, then the GETs resuming it
    with a Last-Event-ID it (or one of its resumes) delivered, in order; its events reassembled across them."""

    session: str
    client: str
    xs: list[int] = field(default_factory=list)
    stream: list[SseEvent] = field(default_factory=list)


# Faults that break connections (the others only slow or reshape the bytes): a call broken after one of
# these was broken by the nemesis on purpose; a call broken under latency or slicing was broken by the server.
BREAKING_TOXICS = frozenset({"faultline.sse_cut", "faultline.http_drop", "reset_peer", "timeout", "limit_data"})
BREAKING_ACTIONS = frozenset({"down", "restart", "cut"})


def breaking_fault_seqs(h: History) -> list[int]:
    """Where the nemesis did something that breaks connections (a breaking toxic added, network down, restart)."""
    return [f.seq for f in h.of(Fault) if f.action in BREAKING_ACTIONS
            or (f.action == "add" and (f.toxic or {}).get("type") in BREAKING_TOXICS)]


def nemesis_broke(h: History, start_seq: int, end_seq: int) -> bool:
    """Whether the nemesis may have broken what was open from `start_seq` to `end_seq`: a breaking action (network
    down, restart, cut) or a breaking toxic added between them, or a breaking toxic added before and still in force
    after `start_seq` (a byte limit on the upstream closes the connection of a request sent while it is there; a
    one-shot toxic already spent counts too: for a check that skips what the nemesis may have broken, never one that
    blames it for an end)."""
    live: set[str] = set()
    for f in h.of(Fault):
        if f.seq >= end_seq:
            break
        name = str((f.toxic or {}).get("name", ""))
        breaking_toxic = f.action == "add" and (f.toxic or {}).get("type") in BREAKING_TOXICS
        if f.seq > start_seq and (f.action in BREAKING_ACTIONS or breaking_toxic or (f.action == "remove"
                                                                                      and name in live)):
            return True
        if breaking_toxic:
            live.add(name)
        elif f.action == "remove":
            live.discard(name)
    return bool(live)


def held_by_nemesis(h: History, request_seq: int, end_seq: int) -> bool:
    """An exchange that timed out while the nemesis held its way: a breaking toxic (a blackhole) still active
    at its end on the downstream (nothing could reach the client), or on the upstream since before its
    request (the request never reached the server). The scenario's silence, not the server's."""
    live: dict[str, Fault] = {}
    for f in h.of(Fault):
        if f.seq >= end_seq:
            break
        name = str((f.toxic or {}).get("name", ""))
        if f.action == "add" and (f.toxic or {}).get("type") in BREAKING_TOXICS:
            live[name] = f
        elif f.action == "remove":
            live.pop(name, None)
    return any((f.toxic or {}).get("stream", "downstream") == "downstream" or f.seq < request_seq
               for f in live.values())


def is_progress(msg: Any) -> bool:
    return isinstance(msg, dict) and msg.get("method") == "notifications/progress"


def other_session_progress(d: Derived, events: list[Any]) -> bool:
    """Whether `events` carry progress under a token no call of this history sent: another session's events (a
    server that keys its streams by request id alone replays them, response included, to a colliding id), so a
    response with the call's id among them may be the other session's (progress-client-token FAILs the leak)."""
    tokens = {c.token for c in d.calls if c.token is not None}
    return any(is_progress(e.message) and (e.message.get("params") or {}).get("progressToken") not in tokens
               for e in events)


def message_of(e: SseEvent) -> Any:
    """The message an SSE event carries, or None for one that carries none: a priming event (an id and empty
    data), or a stored priming event replayed as `{}` (the TypeScript SDK's event store keeps priming as `{}`)."""
    msg = e.message
    return msg if isinstance(msg, dict | list) and msg else None


def messages(events: list[SseEvent]) -> list[SseEvent]:
    """The events that carry a message: a priming event is no message (it is never a duplicate, never an event
    after a response, never a second use of an id)."""
    return [e for e in events if message_of(e) is not None]


def shape(msg: Any) -> tuple[Any, ...]:
    """A message reduced to what an undisturbed run of the same call repeats exactly."""
    if not isinstance(msg, dict):
        return ("priming",)
    if is_progress(msg):
        return ("progress", (msg.get("params") or {}).get("progress"))
    if "method" in msg:
        return (msg["method"], "request" if "id" in msg else (msg.get("params") or {}).get("level"))
    return ("response", "error" if "error" in msg else "result")


class Derived:
    def __init__(self, h: History) -> None:
        self.h = h
        meta = h.meta
        self.meta: Meta | None = meta
        self.recorded_revision = meta.revision if meta else None
        self._revision = known(self.recorded_revision)  # None: no revision Faultline knows, or no Meta record
        self.requests: dict[int, Request] = {r.x: r for r in h.of(Request)}
        self.responses: dict[int, Response] = {r.x: r for r in h.of(Response)}
        self.ends: dict[int, End] = {r.x: r for r in h.of(End)}
        self.events: dict[int, list[SseEvent]] = {}
        for e in h.of(SseEvent):
            self.events.setdefault(e.x, []).append(e)
        self.notes: list[Note] = h.of(Note)
        self.session_of: dict[int, str] = {}
        init_caps: dict[str, dict[str, Any]] = {}
        for x, req in self.requests.items():
            sid = req.headers.get("mcp-session-id")
            resp = self.responses.get(x)
            if sid is None and resp is not None and req.purpose == "initialize":
                sid = resp.headers.get("mcp-session-id")
                if isinstance(req.body, dict):
                    init_caps[sid or req.client] = (req.body.get("params") or {}).get("capabilities") or {}
            self.session_of[x] = sid or f"client:{req.client}"
        self.init_caps = init_caps
        self.origin: dict[str, tuple[str, int]] = {}  # event id -> (session, exchange) where first seen
        for e in h.of(SseEvent):
            if e.id and e.id not in self.origin:
                self.origin[e.id] = (self.session_of.get(e.x, ""), e.x)
        self.calls: list[Call] = []
        by_key: dict[tuple[str, Any], Call] = {}
        self.call_of_x: dict[int, Call] = {}
        self.resumes: list[int] = []
        self.standalone: list[Standalone] = []  # the GET streams opened without Last-Event-ID, with their resumes
        standalone_of_x: dict[int, Standalone] = {}
        for x in sorted(self.requests):
            req = self.requests[x]
            body = req.body if isinstance(req.body, dict) else {}
            if req.method == "POST" and "method" in body and "id" in body:
                call = Call((self.session_of[x], body["id"]), self.session_of[x], req.client, body["id"],
                            body["method"], body.get("params") or {}, req, [x])
                by_key[call.key] = call
                self.calls.append(call)
                self.call_of_x[x] = call
            elif req.method == "GET" and "last-event-id" in req.headers:
                self.resumes.append(x)
                origin = self.origin.get(req.headers["last-event-id"])
                if origin is not None and origin[1] in self.call_of_x:
                    owner = self.call_of_x[origin[1]]
                    if owner.session == self.session_of[x]:
                        owner.xs.append(x)
                        self.call_of_x[x] = owner
                elif origin is not None and origin[1] in standalone_of_x:
                    chain = standalone_of_x[origin[1]]
                    if chain.session == self.session_of[x]:
                        chain.xs.append(x)
                        standalone_of_x[x] = chain
            elif req.method == "GET" and x in self.responses and self.responses[x].content_type == "text/event-stream":
                chain = Standalone(self.session_of[x], req.client, [x])
                self.standalone.append(chain)
                standalone_of_x[x] = chain
        for a in h.of(Answer):
            target = self.call_of_x.get(a.x) if a.x is not None else self._last_call_before(a.seq)
            if target is not None:
                target.answers.append(a)
        for call in self.calls:
            call.stream = self.reassemble(call.xs)
        for chain in self.standalone:
            chain.stream = self.reassemble(chain.xs)

    @property
    def revision(self) -> Revision:
        """The history's revision. run_checks runs no check on a history of an unknown revision (they are all
        NOT-APPLICABLE), so a check never meets the ValueError; other readers (the client's follow) need none."""
        if self._revision is None:
            raise ValueError(f"the history's revision {self.recorded_revision!r} is not one Faultline knows")
        return self._revision

    @property
    def traits(self) -> Traits:
        """What differs by revision (mcp_wire's table): the one switch a check consults."""
        return self.revision.traits

    def _last_call_before(self, seq: int) -> Call | None:
        best = None
        for c in self.calls:
            if c.request.seq < seq and c.method == "tools/call":
                best = c
        return best

    def reassemble(self, xs: list[int]) -> list[SseEvent]:
        """The events of one logical stream across its exchanges (the first, then its resumes): each resume
        continues after the event its Last-Event-ID names."""
        stream: list[SseEvent] = []
        for x in xs:
            lei = self.requests[x].headers.get("last-event-id")
            if lei is not None:
                idx = max((i for i, e in enumerate(stream) if e.id == lei), default=None)
                if idx is not None:
                    stream = stream[:idx + 1]
            stream += self.events.get(x, [])
        return stream

    # helpers ------------------------------------------------------------------------------------
    def _response_records(self, call: Call) -> list[tuple[int, dict[str, Any]]]:
        """(seq, message) of every response to the call, in history order (SSE events or JSON bodies)."""
        out = []
        for x in call.xs:
            out += [(e.seq, e.message) for e in self.events.get(x, []) if is_response(e.message, call.rpc_id)]
            resp = self.responses.get(x)
            if resp is not None and is_response(resp.body, call.rpc_id):
                out.append((resp.seq, resp.body))
        return out

    def response_of(self, call: Call) -> dict[str, Any] | None:
        """The call's response: the last one received (a resume may replay it)."""
        found = self._response_records(call)
        return found[-1][1] if found else None

    def response_seq(self, call: Call) -> int | None:
        """Where the call's first response was received."""
        found = self._response_records(call)
        return found[0][0] if found else None

    def spans_restart(self, call: Call) -> bool:
        """The server was restarted while this call was in flight: what it lost is not the network's doing."""
        end = self.ends.get(call.xs[-1])
        last = end.seq if end is not None else len(self.h)
        return any(f.action == "restart" and call.request.seq < f.seq < last for f in self.h.of(Fault))

    def abandoned(self, call: Call) -> bool:
        """The client stopped following this call before its stream carried the response (a cut it made, a
        connection the nemesis broke, its own resume budget spent): a truncated stream is no evidence."""
        if any(is_response(e.message, call.rpc_id) for e in call.stream):
            return False
        end = self.ends.get(call.xs[-1])
        return end is None or end.reason in ("cut", "client-close", "error", "reset")

    def closed_by_client(self, x: int) -> str | None:
        """Why the end of exchange `x` is the harness's doing, if it is: the client cut or closed the stream, the
        nemesis broke connections while it was open, or the client had ended the session (DELETE) or cancelled
        the call (notifications/cancelled) before the stream ended. None: the server ended it."""
        end, req = self.ends.get(x), self.requests.get(x)
        if end is None or req is None:
            return None
        if end.reason in ("cut", "client-close", "held-open"):
            return f"the client closed it ({end.reason})"
        if any(req.seq < s < end.seq for s in breaking_fault_seqs(self.h)):
            return "the nemesis broke connections while it was open"
        call = self.call_of_x.get(x)
        for other in self.requests.values():
            if other.seq > end.seq or self.session_of.get(other.x) != self.session_of.get(x):
                continue
            body = other.body if isinstance(other.body, dict) else {}
            if other.method == "DELETE":
                return f"the client had ended the session (DELETE, seq {other.seq})"
            if (call is not None and body.get("method") == "notifications/cancelled"
                    and (body.get("params") or {}).get("requestId") == call.rpc_id and other.seq > call.request.seq):
                return f"the client had cancelled the call (seq {other.seq})"
        return None

    def tool_calls(self) -> list[Call]:
        return [c for c in self.calls if c.method == "tools/call"]

    def baseline(self, call: Call) -> list[tuple[Any, ...]] | None:
        """The shape sequence of an undisturbed call of the same tool and arguments (one POST, its
        response received, never cut), if the history has one."""
        for other in self.tool_calls():
            if other is call or other.tool != call.tool or len(other.xs) != 1:
                continue
            end = self.ends.get(other.xs[0])
            if end is None or self.response_of(other) is None or not other.stream:
                continue
            last_is_response = is_response(other.stream[-1].message, other.rpc_id)
            if not (end.reason == "eof" or (end.reason == "client-close" and last_is_response)):
                continue  # (an SDK client closes the stream itself once it has the response)
            if other.answers:
                continue
            return [shape(e.message) for e in messages(other.stream)]
        return None
