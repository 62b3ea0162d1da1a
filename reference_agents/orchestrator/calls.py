"""What one agent call needs whatever the revision: its arguments, the timeline it writes to, the
handlers that answer the server's questions, the retry policy, and the error it fails with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from reference_agents.orchestrator.handlers import Handler, answer
from reference_agents.orchestrator.plan import Timeline
from reference_agents.orchestrator.wire import Wire

MAX_RESENDS = 6  # a call re-sent (same idempotency key) more often than this is given up on
MAX_HINT_S = 5.0  # a server's `retry` hint longer than this is capped


class AgentFailed(Exception):
    """One agent could not deliver; `agent` names it, the message says why."""

    def __init__(self, agent: str, reason: str) -> None:
        super().__init__(f"{agent} agent: {reason}")
        self.agent = agent
        self.reason = reason


@dataclass
class Backoff:
    """Exponential backoff between reconnects, bounded in consecutive failures (`ok()` resets)."""

    base: float = 0.05
    cap: float = 0.5
    max_failures: int = 60
    failures: int = 0

    def ok(self) -> None:
        self.failures = 0

    def delay(self, hint_ms: int | None = None) -> float:
        d = min(self.cap, self.base * 2 ** max(self.failures - 1, 0))
        if hint_ms is not None:
            d = max(d, min(hint_ms / 1000, MAX_HINT_S))
        return d

    async def wait(self, why: str, hint_ms: int | None = None) -> None:
        self.failures += 1
        if self.failures > self.max_failures:
            raise GiveUp(f"gave up after {self.max_failures} failed attempts in a row (last: {why})")
        await anyio.sleep(self.delay(hint_ms))


class GiveUp(Exception):
    """Retries exhausted (the caller turns it into AgentFailed)."""


@dataclass
class AgentCall:
    agent: str  # "travel" | "research"
    url: str
    revision: str
    tool: str
    arguments: dict[str, Any]
    timeline: Timeline
    user: Handler
    model: Handler
    backoff: Backoff = field(default_factory=Backoff)
    http_timeout: float = 15.0
    attempts: int = 0  # tools/call sends so far

    def log(self, kind: str, detail: str = "") -> None:
        self.timeline.add(self.agent, kind, detail)

    def fail(self, reason: str) -> AgentFailed:
        self.log("failed", reason)
        return AgentFailed(self.agent, reason)

    def next_token(self) -> str:
        self.attempts += 1
        if self.attempts > MAX_RESENDS + 1:
            raise self.fail(f"the call was re-sent {MAX_RESENDS} times without an answer")
        return f"{self.agent}-{self.attempts}"

    def unsent(self) -> None:
        """The last send never reached the server (connection refused): it does not count."""
        self.attempts -= 1

    def sent(self, detail: str = "") -> None:
        self.log("called" if self.attempts == 1 else "re-sent",
                 f"{self.tool} (idempotency_key {str(self.arguments.get('idempotency_key', ''))[:12]}…)"
                 + (f" {detail}" if detail else ""))

    async def handle(self, method: str, params: dict[str, Any], label: str = "") -> dict[str, Any]:
        """Route a server request to the user (elicitation) or the scripted model (sampling)."""
        tag = f"{label}: " if label else ""
        if method == "elicitation/create":
            self.log("input-asked", f"{tag}elicitation: {params.get('message', '')}")
            result = await answer(self.user, params)
            self.log("input-answered", f"{tag}user: {result.get('action')} {result.get('content') or ''}".rstrip())
            return result
        if method == "sampling/createMessage":
            self.log("input-asked", f"{tag}sampling ({len(params.get('messages') or [])} messages)")
            result = await answer(self.model, params)
            text = str((result.get("content") or {}).get("text", ""))
            self.log("input-answered", f"{tag}model: {text[:60]}{'…' if len(text) > 60 else ''}")
            return result
        raise self.fail(f"the server asked {method!r}, which this orchestrator does not answer")

    def progress(self, params: dict[str, Any]) -> None:
        total = params.get("total")
        n = params.get("progress")
        where = f"{n:g}/{total:g}" if isinstance(n, int | float) and isinstance(total, int | float) else f"{n}"
        self.log("progress", f"{where} {params.get('message') or ''}".rstrip())


class Runner:
    """One call carried out on one revision (sessions.py, stateless.py): `_run` does the work; `run`
    turns exhausted retries into AgentFailed and always closes the connection pool."""

    call: AgentCall
    wire: Wire

    async def run(self) -> dict[str, Any]:
        try:
            return await self._run()
        except GiveUp as exc:
            raise self.call.fail(str(exc)) from None
        finally:
            await self.wire.aclose()

    async def _run(self) -> dict[str, Any]:
        raise NotImplementedError
