"""Revision 2025-11-25: one tools/call on a session, kept alive across cuts and restarts.

The call's answer is an SSE stream: progress, the server's questions (answered by POSTing the
response, 202), then the response. On a cut the stream is resumed with GET + Last-Event-ID
(the `retry` hint honoured, with backoff). If the resume is refused (404: the session died with
the server; 400: the event id is unknown) or the resumed stream ends with an error (the server
restarted under the call), a new session is opened and the same call re-sent with the same
`idempotency_key`: the server continues the same booking instead of making a second one.
"""

from __future__ import annotations

from typing import Any

from mcp_wire.revisions import Revision
from reference_agents.orchestrator.calls import AgentCall, AgentFailed, Runner
from reference_agents.orchestrator.wire import (
    Cut,
    HttpStatusError,
    Reply,
    Unreachable,
    Wire,
    WireError,
)

NEW_SESSION = "new-session"  # open a new session, re-send the call
RESEND = "resend"  # re-send the call on the same session
RESUME = "resume"  # the stream was cut: GET + Last-Event-ID


class SessionCall(Runner):
    def __init__(self, call: AgentCall) -> None:
        self.call = call
        self.wire = Wire(call.url, Revision.R2025, timeout=call.http_timeout)
        self.answered: set[str] = set()  # (session, server request id) already answered
        self.request_id: int | str = 0
        self.token = ""
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None
        self.resumed = False  # the current stream is a resumed one

    async def _run(self) -> dict[str, Any]:
        c = self.call
        outcome: Any = NEW_SESSION
        while True:
            if outcome == NEW_SESSION:
                await self._open()
            if outcome in (NEW_SESSION, RESEND):
                outcome = await self._send()
            elif outcome == RESUME:
                outcome = await self._resume()
            if isinstance(outcome, dict):
                return outcome
            if outcome == RESEND:
                await c.backoff.wait("re-send")

    async def _open(self) -> None:
        c = self.call
        while True:
            try:
                info = await self.wire.initialize()
            except Unreachable as exc:
                c.log("refused", f"initialize: {exc}")
            except (Cut, HttpStatusError) as exc:
                c.log("retried", f"initialize: {exc}")
            else:
                c.backoff.ok()
                server = (info.get("serverInfo") or {}).get("name", "?")
                c.log("session", f"{(self.wire.session_id or '?')[:12]} ({server})")
                return
            await c.backoff.wait("initialize")

    async def _send(self) -> Any:
        c = self.call
        self.token = c.next_token()
        body = self.wire.request("tools/call", {"name": c.tool, "arguments": c.arguments},
                                 progress_token=self.token)
        self.request_id = body["id"]
        self.last_event_id, self.retry_ms, self.resumed = None, None, False
        c.sent(f"on session {(self.wire.session_id or '?')[:12]}")
        try:
            async with self.wire.post(body) as reply:
                if reply.status == 404:
                    c.log("retried", "the session is gone (404): a new session")
                    return NEW_SESSION
                if reply.status >= 500:
                    c.log("retried", f"tools/call: HTTP {reply.status}")
                    return RESEND
                if reply.status >= 400 or reply.status == 202:
                    raise c.fail(f"tools/call refused: HTTP {reply.status}: {(await reply.text())[:160]}")
                return await self._follow(reply)
        except Unreachable as exc:
            c.unsent()
            c.log("refused", f"tools/call: {exc}")
            return RESEND
        except Cut as exc:
            return self._cut(exc)

    def _cut(self, exc: WireError) -> str:
        c = self.call
        c.log("cut", f"{exc} (last event {self.last_event_id or 'none'})")
        return RESUME if self.last_event_id else RESEND

    async def _resume(self) -> Any:
        c = self.call
        assert self.last_event_id is not None
        await c.backoff.wait("resume", self.retry_ms)
        try:
            async with self.wire.resume(self.last_event_id) as reply:
                if reply.status in (404, 400):
                    why = "the session is gone" if reply.status == 404 else "the event id is unknown"
                    c.log("retried", f"resume refused (HTTP {reply.status}: {why}): a new session")
                    return NEW_SESSION
                if reply.status == 405:
                    c.log("retried", "the server cannot resume (405): re-send")
                    return RESEND
                if reply.status != 200:
                    c.log("retried", f"resume: HTTP {reply.status}")
                    return RESUME
                c.log("resumed", f"GET Last-Event-ID {self.last_event_id}")
                self.resumed = True
                return await self._follow(reply)
        except Unreachable as exc:
            c.log("refused", f"resume: {exc}")
            return RESUME
        except Cut as exc:
            return self._cut(exc)

    async def _follow(self, reply: Reply) -> Any:
        """Read a stream (or JSON body) to the call's response; RESUME if it ends without one."""
        c = self.call
        async for msg in reply.messages():
            if reply.last_event_id:
                self.last_event_id = reply.last_event_id
            if reply.retry_ms is not None:
                self.retry_ms = reply.retry_ms
            c.backoff.ok()
            body = msg.body
            if msg.is_notification:
                params = body.get("params") or {}
                if body.get("method") == "notifications/progress" and params.get("progressToken") == self.token:
                    c.progress(params)
            elif msg.is_request:
                await self._answer(body)
            elif msg.answers(self.request_id):
                return self._response(body)
        if reply.last_event_id:
            self.last_event_id = reply.last_event_id
        return self._cut(Cut("the stream ended without the response"))

    def _response(self, body: dict[str, Any]) -> Any:
        c = self.call
        if "error" in body:
            err = body["error"] or {}
            text = f"{err.get('code')}: {err.get('message')}"
            if self.resumed or "restart" in str(err.get("message", "")):
                c.log("retried", f"the resumed call ended with an error ({text}): a new session")
                return NEW_SESSION
            raise c.fail(f"tools/call error {text}")
        return dict(body.get("result") or {})

    async def _answer(self, body: dict[str, Any]) -> None:
        c = self.call
        key = f"{self.wire.session_id}/{body['id']!r}"
        if key in self.answered:
            return
        self.answered.add(key)
        method = str(body.get("method"))
        try:
            result = await c.handle(method, dict(body.get("params") or {}))
            error = None
        except AgentFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - a handler's failure is the server's error answer
            result, error = None, {"code": -32603, "message": f"the client could not answer: {exc}"}
        for _ in range(5):
            try:
                status = await self.wire.respond(body["id"], result, error)
            except WireError as exc:
                c.log("retried", f"answer to {method}: {exc}")
                await c.backoff.wait("answer")
                continue
            if status >= 400:
                c.log("retried", f"answer to {method} refused: HTTP {status}")
            return
