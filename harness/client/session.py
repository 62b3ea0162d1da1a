"""WireClient: the recording MCP client over httpx that each revision's client builds on.

Every HTTP exchange lands in the History as it happens (Request, Response, SseEvent..., End).
Nothing here raises to the caller for what a server does: timeouts, resets, garbage and limits
end the exchange with an `End` record whose reason says what happened.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from harness.client.answers import Answers
from harness.client.follow import follow_closes
from harness.history import Answer, End, History, Request, Response, SseEvent
from harness.revisions import Revision
from mcp_wire.sse import SseLimitError, SseParser

MAX_JSON_BODY = 8 * 1024 * 1024
ANSWER_ATTEMPTS = 3  # POSTs of one answer to a server request when the network loses it (no HTTP status)
MAX_SERVER_REQUESTS = 32  # server->client requests answered on one stream; more is a flood, the client stops
CLIENT_INFO = {"name": "faultline", "version": "0.1.0"}
DEFAULT_CAPABILITIES: dict[str, Any] = {"elicitation": {"form": {}}, "sampling": {}}


@dataclass
class CallOutcome:
    exchanges: list[int] = field(default_factory=list)
    stream: str | None = None
    events: list[SseEvent] = field(default_factory=list)
    response: dict[str, Any] | None = None
    status: int | None = None
    ended: str = ""
    last_event_id: str | None = None
    retry_ms: int | None = None
    tool: tuple[str, dict[str, Any]] | None = None  # (name, arguments) of a tools/call, to re-issue it
    reissued: bool = False  # the call was sent again (a revision without resumption), this is the new one

    @property
    def result(self) -> dict[str, Any] | None:
        r = (self.response or {}).get("result")
        return r if isinstance(r, dict) else None

    @property
    def error(self) -> dict[str, Any] | None:
        e = (self.response or {}).get("error")
        return e if isinstance(e, dict) else None


_SSL: list[Any] = []


def shared_ssl_context() -> Any:
    """One default SSL context for every client: httpx builds a new one (~30 ms) per AsyncClient otherwise."""
    if not _SSL:
        import ssl

        _SSL.append(ssl.create_default_context())
    return _SSL[0]


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


READ_TIMEOUT = 10.0  # seconds (x time scale) a client waits for the next byte of a stream (httpx's read timeout)


class WireClient(ABC):
    """The recording HTTP client under every revision's client: requests, SSE reading, answers to the server's
    requests, what it received. What differs by revision is abstract here and filled in by the revision's client
    (r2025.py `SessionClient`, r2026.py `StatelessClient`; factory.py `wire_client` chooses): the headers and the
    `_meta` envelope of a request, `open()`, and (2026-07-28) the InputRequiredResult rounds of `call_tool`."""

    def __init__(self, url: str, history: History, *, revision: Revision, client: str = "A",
                 answers: Answers | None = None, capabilities: dict[str, Any] | None = None,
                 timeout: float = READ_TIMEOUT, headers: dict[str, str] | None = None, grace: float | None = None,
                 follow: bool = True, reconnect_cap: float | None = None, quiet: float | None = None) -> None:
        self.url = url
        self.history = history
        self.revision = revision
        self.name = client
        self.answers = answers or Answers()
        self.capabilities = DEFAULT_CAPABILITIES if capabilities is None else capabilities
        self.timeout = timeout
        # the read timeout of a stream (the next byte within it), if not `timeout`: harness/calibration.py's
        # derived one for a scenario no fault delays (a listen stream's is its deadline, whatever this is)
        self.quiet = quiet
        # how long a stream may stay open after it carried the call's response before the client closes it
        self.grace = grace if grace is not None else min(2.0, timeout / 5)
        # follow a server's deliberate close of a call's stream (follow.py), waiting `retry` up to the cap
        self.follow = follow
        self.reconnect_cap = reconnect_cap if reconnect_cap is not None else timeout / 10
        self.extra_headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.session_id: str | None = None
        self.protocol_version = revision.value
        self._ids = 0
        self.http: httpx.AsyncClient | None = None
        self.seen: list[SseEvent] = []  # every SSE event this client recorded, in order
        self._new_event: Any = None  # an anyio.Event, made in __aenter__ (it needs the event loop)

    async def __aenter__(self) -> WireClient:
        self._new_event = anyio.Event()
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), follow_redirects=False, verify=shared_ssl_context(),
                                      # an idle connection is dropped before a server's keep-alive timeout (uvicorn: 5 s,
                                      # httpx's default too) can close it under a request: "Server disconnected"
                                      limits=httpx.Limits(max_connections=16, keepalive_expiry=2.0))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http is not None:
            with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                await self.http.aclose()

    # -- building requests -------------------------------------------------------------------
    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _headers(self, body: Any = None, *, with_session: bool = True, sse_only: bool = False) -> dict[str, str]:
        h = {"accept": "text/event-stream" if sse_only else "application/json, text/event-stream"}
        if body is not None:
            h["content-type"] = "application/json"
        self._stamp_headers(h, body, with_session=with_session)
        h.update(self.extra_headers)
        return h

    @abstractmethod
    def _stamp_headers(self, h: dict[str, str], body: Any, *, with_session: bool) -> None:
        """Add the revision's headers to a request's."""

    def _params(self, params: dict[str, Any] | None, progress_token: Any) -> dict[str, Any]:
        params = dict(params or {})
        meta = dict(params.get("_meta") or {})
        if progress_token is not None:
            meta["progressToken"] = progress_token
        self._stamp_meta(meta)
        if meta:
            params["_meta"] = meta
        return params

    @abstractmethod
    def _stamp_meta(self, meta: dict[str, Any]) -> None:
        """Add the revision's envelope to a request's `_meta`."""

    # -- the protocol --------------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> dict[str, Any]:
        """Start talking to the server (2025-11-25: initialize; 2026-07-28: server/discover)."""

    async def call(self, method: str, params: dict[str, Any] | None = None, *, request_id: int | str | None = None,
                   progress_token: Any = None, cut_after: int | None = None, cut_mid_event: bool = False,
                   deadline: float | None = None, purpose: str = "call",
                   read_timeout: float | None = None) -> CallOutcome:
        rid = self.next_id() if request_id is None else request_id
        body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": self._params(params, progress_token)}
        # a listen stream is silent for as long as nothing changes: only its deadline ends it, not a read timeout
        quiet = deadline if purpose == "listen" and deadline is not None else read_timeout
        out = await self._exchange("POST", body, purpose=purpose, stream=f"post:{rid}", rpc_id=rid,
                                   cut_after=cut_after, cut_mid=cut_mid_event, deadline=deadline, read_timeout=quiet)
        if cut_after is None and self.follow:  # a cut the scenario asked for is never followed here
            out = await follow_closes(self, out, deadline=deadline)
        return out

    async def call_tool(self, name: str, arguments: dict[str, Any], *, tamper_request_state: bool = False,
                        **kw: Any) -> CallOutcome:
        """tools/call (the 2026-07-28 client adds its InputRequiredResult rounds)."""
        return await self.call("tools/call", {"name": name, "arguments": arguments}, **kw)

    async def resume(self, stream: str, last_event_id: str, *, cut_after: int | None = None,
                     deadline: float | None = None, purpose: str = "resume", follow: bool = True) -> CallOutcome:
        headers = self._headers(sse_only=True)
        headers["last-event-id"] = last_event_id
        out = await self._exchange("GET", None, purpose=purpose, stream=stream, rpc_id=_rpc_id(stream),
                                   headers=headers, cut_after=cut_after, deadline=deadline)
        if cut_after is None and follow and self.follow:
            out = await follow_closes(self, out, resumed_from=last_event_id, deadline=deadline)
        return out

    async def open_get_stream(self, *, cut_after: int | None = None, deadline: float | None = None) -> CallOutcome:
        return await self._exchange("GET", None, purpose="get-stream", stream="get",
                                    headers=self._headers(sse_only=True), cut_after=cut_after, deadline=deadline)

    async def delete(self) -> int:
        out = await self._exchange("DELETE", None, purpose="delete", stream=None, headers=self._headers())
        return out.status or 0

    async def raw(self, method: str, *, headers: dict[str, str] | None = None, body: Any = None,
                  purpose: str = "probe", with_session: bool = True, deadline: float | None = None) -> CallOutcome:
        h = self._headers(body, with_session=with_session)
        h.update({k.lower(): v for k, v in (headers or {}).items()})
        rpc_id = body.get("id") if isinstance(body, dict) else None
        return await self._exchange(method, body, purpose=purpose, stream=None, rpc_id=rpc_id, headers=h,
                                    deadline=deadline)

    async def wait_for(self, predicate: Any, timeout: float, *, start: int = 0) -> SseEvent | None:
        """The first event this client recorded (from index `start`) for which `predicate(event)` holds,
        waiting for new events up to `timeout` seconds; None if none came."""
        with anyio.move_on_after(timeout):
            i = start
            while True:
                while i < len(self.seen):
                    ev = self.seen[i]
                    i += 1
                    if predicate(ev):
                        return ev
                await self._new_event.wait()
        return None

    # -- one HTTP exchange -----------------------------------------------------------------------
    async def _exchange(self, method: str, body: Any, *, purpose: str, stream: str | None, rpc_id: Any = None,
                        headers: dict[str, str] | None = None, cut_after: int | None = None, cut_mid: bool = False,
                        deadline: float | None = None, read_timeout: float | None = None) -> CallOutcome:
        assert self.http is not None, "use WireClient as an async context manager"
        h = headers if headers is not None else self._headers(body)
        x = self.history.new_exchange()
        self.history.append(Request(x=x, client=self.name, method=method, url=self.url, headers=h, body=body,
                                    stream=stream, purpose=purpose))
        out = CallOutcome(exchanges=[x], stream=stream)
        content = json.dumps(body).encode() if body is not None else None
        ended: list[tuple[str, str, int]] = []
        read = read_timeout or self.quiet
        seen = {"bytes": 0, "pending": 0}  # what was read when the exchange broke, for its End detail

        def got() -> str:
            told = f"; {seen['bytes']} bytes read" if seen["bytes"] else ""
            if seen["pending"]:
                told += f", {seen['pending']} bytes of one unfinished event or line pending"
            return told

        async def talk(tg: Any) -> None:
            try:
                timeout = httpx.Timeout(self.timeout, read=read) if read else self.http.timeout  # type: ignore[union-attr]
                req = self.http.build_request(method, self.url, headers=h, content=content,  # type: ignore[union-attr]
                                              timeout=timeout)
                resp = await self.http.send(req, stream=True)  # type: ignore[union-attr]
                try:
                    ended.append(await self._read(resp, x, out, tg, rpc_id, cut_after, cut_mid, seen))
                finally:
                    with anyio.CancelScope(shield=True), anyio.move_on_after(1):
                        await resp.aclose()
            except SseLimitError as exc:
                ended.append(("limit", str(exc), 0))
            except httpx.TimeoutException as exc:
                ended.append(("timeout", f"{type(exc).__name__}: nothing within {read or self.timeout:g}s{got()}",
                              seen["bytes"]))
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                kind = "reset" if "reset" in str(exc).lower() else "error"
                ended.append((kind, f"{type(exc).__name__}: {exc}{got()}", seen["bytes"]))
            except (httpx.HTTPError, OSError, ValueError) as exc:
                ended.append(("error", f"{type(exc).__name__}: {exc}", 0))

        limit = deadline if deadline is not None else self.timeout
        try:
            with anyio.fail_after(limit):
                async with anyio.create_task_group() as tg:
                    await talk(tg)
        except TimeoutError:
            ended.append(("timeout", f"no end within {limit:g}s{got()}", seen["bytes"]))
        except anyio.get_cancelled_exc_class():
            self.history.append(End(x=x, reason="client-close", detail="the client stopped reading", bytes=0))
            raise
        reason, detail, nbytes = ended[0] if ended else ("error", "no outcome", 0)
        self.history.append(End(x=x, reason=reason, detail=detail, bytes=nbytes))  # type: ignore[arg-type]
        out.ended = reason
        if purpose == "initialize" and out.status == 200:
            resp_rec = self.history.response(x)
            if resp_rec is not None and "mcp-session-id" in resp_rec.headers:
                self.session_id = resp_rec.headers["mcp-session-id"]
        return out

    async def _read(self, resp: httpx.Response, x: int, out: CallOutcome, tg: Any, rpc_id: Any,
                    cut_after: int | None, cut_mid: bool, seen: dict[str, int]) -> tuple[str, str, int]:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        media = _media(headers.get("content-type", ""))
        out.status = resp.status_code
        if media != "text/event-stream":
            raw = bytearray()
            async for chunk in resp.aiter_raw():
                raw += chunk
                if len(raw) > MAX_JSON_BODY:
                    self.history.append(Response(x=x, status=resp.status_code, headers=headers, content_type=media,
                                                 body_text=bytes(raw[:200]).decode("utf-8", "replace")))
                    return "limit", f"body over {MAX_JSON_BODY} bytes", len(raw)
            parsed = None
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            self.history.append(Response(x=x, status=resp.status_code, headers=headers, content_type=media,
                                         body=parsed, body_text="" if parsed is not None else
                                         bytes(raw[:400]).decode("utf-8", "replace")))
            if isinstance(parsed, dict) and "method" not in parsed and parsed.get("id") == rpc_id:
                out.response = parsed
            return "eof", "", len(raw)
        self.history.append(Response(x=x, status=resp.status_code, headers=headers, content_type=media))
        parser = SseParser()
        nbytes = 0
        if cut_after == 0:
            return "cut", "after 0 events", 0
        chunks = resp.aiter_raw().__aiter__()
        while True:
            try:
                if out.response is not None:  # the answer is in: the stream should end now (SHOULD)
                    with anyio.fail_after(self.grace):
                        chunk = await chunks.__anext__()
                else:
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except TimeoutError:
                return "held-open", f"still open {self.grace:g}s after the response; the client closed it", nbytes
            nbytes += len(chunk)
            seen["bytes"] = nbytes
            if cut_mid and cut_after is not None and len(out.events) >= cut_after:
                return "cut", f"mid-event: {len(chunk)} bytes of the next event read and dropped", nbytes
            for msg in parser.feed(chunk):
                self._record_event(x, out, msg, tg, rpc_id)
                if cut_after is not None and not cut_mid and len(out.events) >= cut_after:
                    return "cut", f"after {len(out.events)} events", nbytes
            seen["pending"] = parser.pending
        if parser.pending:
            return "eof", f"{parser.pending} bytes of an unfinished event at the end", nbytes
        return "eof", "", nbytes

    def _record_event(self, x: int, out: CallOutcome, msg: Any, tg: Any, rpc_id: Any) -> None:
        message = None
        if msg.data:
            try:
                parsed = json.loads(msg.data)
                message = parsed if isinstance(parsed, dict | list) else None
            except ValueError:
                message = None
        ev = SseEvent(x=x, n=len(out.events), id=msg.id, event=msg.event, data=msg.data[:65536] if len(msg.data) >
                      65536 else msg.data, retry=msg.retry, message=message, stream=out.stream)
        self.history.append(ev)
        out.events.append(ev)
        self.seen.append(ev)
        self._new_event.set()
        self._new_event = anyio.Event()
        if msg.id:
            out.last_event_id = msg.id
        if msg.retry is not None:
            out.retry_ms = msg.retry
        if isinstance(message, dict):
            if "method" in message and "id" in message:
                asked = sum(1 for e in out.events if isinstance(e.message, dict) and "method" in e.message
                            and "id" in e.message)
                if asked > MAX_SERVER_REQUESTS:
                    raise SseLimitError(f"request flood: more than {MAX_SERVER_REQUESTS} server->client requests "
                                        "on one stream; the client stopped reading")
                tg.start_soon(self._answer, x, message)
            elif "method" not in message and rpc_id is not None and message.get("id") == rpc_id:
                out.response = message

    async def _answer(self, x: int, request: dict[str, Any]) -> None:
        method = str(request.get("method"))
        if self.answers.before is not None:
            await self.answers.before(method, request.get("params") or {})
        kind, obj, script = self.answers.answer(method, request.get("params") or {})
        reply = {"jsonrpc": "2.0", "id": request.get("id"), kind: obj}
        self.history.append(Answer(client=self.name, x=x, request_id=request.get("id"), method=method,
                                   reply={kind: obj}, script=script))
        for attempt in range(1, ANSWER_ATTEMPTS + 1):  # lost to the network (no HTTP status): the same answer again
            out = await self._exchange("POST", reply, purpose="answer", stream=None, deadline=self.timeout)
            if out.status is not None or attempt == ANSWER_ATTEMPTS:
                return
            await anyio.sleep(self.reconnect_cap)


def _rpc_id(stream: str) -> Any:
    if not stream.startswith("post:"):
        return None
    raw = stream[5:]
    return int(raw) if raw.lstrip("-").isdigit() else raw
