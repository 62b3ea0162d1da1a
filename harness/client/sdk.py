"""The SDK-driven client: the official `mcp` SDK's own `Client`, recorded into the same History.

A scenario that must behave as a real SDK client would (its own reconnects after a cut, its own
`retry` handling, its own MRTR loop) drives `SdkClient` instead of `WireClient`. The SDK keeps
full control of the protocol; Faultline only sits under it as an httpx2 transport that records
every exchange (Request, Response, SseEvent..., End) exactly as `WireClient` does, so the same
checks run over the history.

What the recorder attributes, since the SDK does not say:
- a POST of a JSON-RPC request opens stream `post:<id>`; a GET with `Last-Event-ID` resumes the
  stream on which that event id was recorded (or `get` when unknown); a bare GET is the `get` stream;
- purposes: initialize, initialized, discover, call, answer (a JSON-RPC response the SDK POSTs for a
  server->client request), notification, resume, get-stream, delete.
The SDK's exceptions are the SDK's business: a call that fails is returned as `SdkOutcome.error`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from mcp import Client, types
from mcp.client.streamable_http import streamable_http_client

from harness.client.answers import Answers
from harness.client.session import shared_ssl_context
from harness.history import Answer, End, History, Request, Response, SseEvent
from harness.revisions import Revision
from mcp_wire.jsonrpc import is_request
from mcp_wire.sse import SseLimitError, SseParser
from scenarios import api

MAX_JSON_BODY = 8 * 1024 * 1024
MAX_DATA_RECORDED = 65536


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class RecordingTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport that records every exchange the SDK makes into a History."""

    def __init__(self, history: History, client: str = "A", inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self.history = history
        self.client = client
        self.inner = inner or httpx2.AsyncHTTPTransport(verify=shared_ssl_context())  # not a CA load per client
        self.stream_of_event: dict[str, str] = {}  # event id -> the logical stream it was recorded on
        self.x_of_server_request: dict[Any, int] = {}  # server->client request id -> exchange it arrived on

    def _classify(self, method: str, headers: dict[str, str], body: Any) -> tuple[str | None, str]:
        if method == "DELETE":
            return None, "delete"
        if method == "GET":
            lei = headers.get("last-event-id")
            if lei is None:
                return "get", "get-stream"
            return self.stream_of_event.get(lei, "get"), "resume"
        if not isinstance(body, dict):
            return None, "probe"
        rpc_method, rpc_id = body.get("method"), body.get("id")
        if rpc_method is None:
            return None, "answer"
        if rpc_id is None:
            return None, "initialized" if rpc_method == "notifications/initialized" else "notification"
        purpose = {"initialize": "initialize", "server/discover": "discover"}.get(str(rpc_method), "call")
        return f"post:{rpc_id}", purpose

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        raw_body = await request.aread()
        body = _json(raw_body)
        headers = {k.lower(): v for k, v in request.headers.items()}
        stream, purpose = self._classify(request.method, headers, body)
        x = self.history.new_exchange()
        self.history.append(Request(x=x, client=self.client, method=request.method, url=str(request.url),
                                    headers=headers, body=body, stream=stream, purpose=purpose))
        try:
            resp = await self.inner.handle_async_request(request)
        except httpx2.TimeoutException as exc:
            self.history.append(End(x=x, reason="timeout", detail=f"{type(exc).__name__}: {exc}"))
            raise
        except (httpx2.TransportError, OSError) as exc:
            kind = "reset" if "reset" in str(exc).lower() else "error"
            self.history.append(End(x=x, reason=kind, detail=f"{type(exc).__name__}: {exc}"))  # type: ignore[arg-type]
            raise
        except anyio.get_cancelled_exc_class():
            self.history.append(End(x=x, reason="timeout", detail="the SDK stopped waiting before any answer"))
            raise
        rheaders = {k.lower(): v for k, v in resp.headers.items()}
        media = _media(rheaders.get("content-type", ""))
        if media == "text/event-stream":
            self.history.append(Response(x=x, status=resp.status_code, headers=rheaders, content_type=media))
            recorder = _SseRecorder(self, x, stream, resp.stream)
            return httpx2.Response(resp.status_code, headers=resp.headers, stream=recorder,
                                   extensions=resp.extensions, request=request)
        raw = bytearray()
        reason, detail = "eof", ""
        try:
            async for chunk in resp.aiter_raw():
                raw += chunk
                if len(raw) > MAX_JSON_BODY:
                    reason, detail = "limit", f"body over {MAX_JSON_BODY} bytes"
                    break
        except (httpx2.TransportError, OSError) as exc:
            reason, detail = "error", f"{type(exc).__name__}: {exc}"
        finally:
            await resp.aclose()
        parsed = _json(bytes(raw)) if reason == "eof" else None
        self.history.append(Response(x=x, status=resp.status_code, headers=rheaders, content_type=media, body=parsed,
                                     body_text="" if parsed is not None else bytes(raw[:400]).decode("utf-8", "replace")))
        self.history.append(End(x=x, reason=reason, detail=detail, bytes=len(raw)))  # type: ignore[arg-type]
        if reason != "eof":
            raise httpx2.ReadError(detail, request=request)
        return httpx2.Response(resp.status_code, headers=resp.headers, content=bytes(raw),
                               extensions=resp.extensions, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _SseRecorder(httpx2.AsyncByteStream):
    """Passes an SSE body through to the SDK unchanged, recording each complete event and the end."""

    def __init__(self, rec: RecordingTransport, x: int, stream: str | None, inner: Any) -> None:
        self.rec, self.x, self.stream, self.inner = rec, x, stream, inner
        self.n = 0
        self.nbytes = 0
        self.ended = False

    def _end(self, reason: str, detail: str = "") -> None:
        if not self.ended:
            self.ended = True
            self.rec.history.append(End(x=self.x, reason=reason, detail=detail, bytes=self.nbytes))  # type: ignore[arg-type]

    def _record(self, msg: Any) -> None:
        message = _json(msg.data.encode()) if msg.data else None
        if not isinstance(message, dict | list):
            message = None
        data = msg.data[:MAX_DATA_RECORDED] if len(msg.data) > MAX_DATA_RECORDED else msg.data
        self.rec.history.append(SseEvent(x=self.x, n=self.n, id=msg.id, event=msg.event, data=data, retry=msg.retry,
                                         message=message, stream=self.stream))
        self.n += 1
        if msg.id and self.stream is not None:
            self.rec.stream_of_event.setdefault(msg.id, self.stream)
        if is_request(message):
            self.rec.x_of_server_request[message["id"]] = self.x

    async def __aiter__(self) -> AsyncIterator[bytes]:
        parser = SseParser()
        try:
            async for chunk in self.inner:
                self.nbytes += len(chunk)
                for msg in parser.feed(chunk):
                    self._record(msg)
                yield chunk
        except SseLimitError as exc:
            self._end("limit", str(exc))
            raise httpx2.ReadError(str(exc)) from exc
        except httpx2.TimeoutException as exc:
            self._end("timeout", f"{type(exc).__name__}: {exc}")
            raise
        except (httpx2.TransportError, OSError) as exc:
            self._end("reset" if "reset" in str(exc).lower() else "error", f"{type(exc).__name__}: {exc}")
            raise
        pending = parser.pending
        self._end("eof", f"{pending} bytes of an unfinished event at the end" if pending else "")

    async def aclose(self) -> None:
        self._end("client-close", "the SDK closed the stream")
        with anyio.CancelScope(shield=True), anyio.move_on_after(1):
            await self.inner.aclose()


@dataclass
class SdkOutcome:
    """What an SDK call returned: the result as a plain dict, or the SDK's error as text."""

    result: dict[str, Any] | None = None
    error: str | None = None
    progress: list[float] = field(default_factory=list)


class SdkClient(api.SdkClient):
    """The SDK's `Client` over a recording transport. Use as an async context manager.

    2025-11-25 connects with `mode="legacy"` (initialize, session, SDK reconnects with
    Last-Event-ID); 2026-07-28 pins the version (per-request `_meta`, the SDK's MRTR loop).
    Scripted answers are the same `Answers` the wire client uses; each is recorded as an `Answer`.
    """

    def __init__(self, url: str, history: History, *, revision: Revision, client: str = "A",
                 answers: Answers | None = None, timeout: float = 10.0, elicitation: bool = True,
                 sampling: bool = True) -> None:
        self.url = url
        self.history = history
        self.revision = revision
        self.name = client
        self.answers = answers or Answers()
        self.timeout = timeout
        self.elicitation, self.sampling = elicitation, sampling
        self.transport = RecordingTransport(history, client)
        self.session_id: str | None = None
        self._stack: AsyncExitStack | None = None
        self._client: Client | None = None

    async def __aenter__(self) -> SdkClient:
        sdk_log = logging.getLogger("mcp.client.streamable_http")
        if sdk_log.level == logging.NOTSET:  # the SDK logs its own teardown races as errors; the history has them
            sdk_log.setLevel(logging.CRITICAL)
        stack = AsyncExitStack()
        await stack.__aenter__()
        try:
            http = await stack.enter_async_context(httpx2.AsyncClient(
                transport=self.transport, timeout=httpx2.Timeout(self.timeout, read=self.timeout)))
            mode = "legacy" if self.revision.traits.has_sessions else self.revision.value  # legacy: initialize
            self._client = Client(streamable_http_client(self.url, http_client=http), mode=mode,  # type: ignore[arg-type]
                                  read_timeout_seconds=self.timeout, cache=None,
                                  elicitation_callback=self._elicit if self.elicitation else None,  # type: ignore[arg-type]
                                  sampling_callback=self._sample if self.sampling else None)  # type: ignore[arg-type]
            await stack.enter_async_context(self._client)
        except BaseException:
            await stack.aclose()  # no cancel scope around it: the SDK's task groups must unwind in order
            raise
        self._stack = stack
        for req in self.history.of(Request):
            resp = self.history.response(req.x)
            if req.client == self.name and req.purpose == "initialize" and resp is not None:
                self.session_id = resp.headers.get("mcp-session-id", self.session_id)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._stack is not None:  # the scenario's deadline bounds this; no cancel scope of our own here
            await self._stack.aclose()

    # -- what scenarios call --------------------------------------------------------------------
    async def call_tool(self, name: str, arguments: dict[str, Any], *, deadline: float | None = None) -> SdkOutcome:
        assert self._client is not None, "use SdkClient as an async context manager"
        out = SdkOutcome()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            out.progress.append(progress)

        try:
            with anyio.fail_after(deadline if deadline is not None else self.timeout):
                res = await self._client.call_tool(name, arguments, progress_callback=on_progress)
            out.result = res.model_dump(mode="json", by_alias=True, exclude_none=True)
        except TimeoutError:
            out.error = f"no result within {deadline if deadline is not None else self.timeout:g}s"
        except Exception as exc:  # the SDK's own failure is an outcome, recorded, never raised
            out.error = f"{type(exc).__name__}: {exc}"
        self.history.note("sdk call ended", tool=name, error=out.error, progress=out.progress)
        return out

    # -- the SDK's callbacks, answered from the script ---------------------------------------------
    def _record(self, ctx: Any, method: str, kind: str, obj: dict[str, Any], script: str) -> None:
        rid = getattr(ctx, "request_id", None)
        self.history.append(Answer(client=self.name, x=self.transport.x_of_server_request.get(rid), request_id=rid,
                                   method=method, reply={kind: obj}, script=script))

    async def _reply(self, ctx: Any, method: str, params: Any, result: Any) -> Any:
        raw = params.model_dump(mode="json", by_alias=True, exclude_none=True)
        kind, obj, script = self.answers.answer(method, raw)
        self._record(ctx, method, kind, obj, script)
        return types.ErrorData.model_validate(obj) if kind == "error" else result.model_validate(obj)

    async def _elicit(self, ctx: Any, params: Any) -> types.ElicitResult | types.ErrorData:
        return await self._reply(ctx, "elicitation/create", params, types.ElicitResult)  # type: ignore[no-any-return]

    async def _sample(self, ctx: Any, params: Any) -> types.CreateMessageResult | types.ErrorData:
        return await self._reply(ctx, "sampling/createMessage", params, types.CreateMessageResult)  # type: ignore[no-any-return]
