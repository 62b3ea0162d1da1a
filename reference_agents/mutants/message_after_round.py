from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_agents.behaviour import Behaviour
from reference_agents.mutants._mutant import Mutant

ROUND = b'"resultType":"input_required"'
LATE = json.dumps({"jsonrpc": "2.0", "method": "notifications/message",
                   "params": {"level": "info", "logger": "rounds", "data": "the round was sent"}},
                  separators=(",", ":")).encode()


class MessageAfterRound(Behaviour):
    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        return _MessageAfterRound(app)


class _MessageAfterRound:
    """On an SSE response stream, one more event right after the InputRequiredResult event."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_then_more(message: Message) -> None:
            body = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if ROUND not in body.replace(b" ", b"") or not body.lstrip().startswith((b"event:", b"data:", b"id:")):
                await send(message)
                return
            more = message.get("more_body", False)
            await send({**message, "more_body": True})
            await send({"type": "http.response.body", "body": b"event: message\r\ndata: " + LATE + b"\r\n\r\n",
                        "more_body": more})

        await self.app(scope, receive, send_then_more)


MUTANT = Mutant(
    "message-after-round",
    "2026: an InputRequiredResult sent on an SSE stream is followed by one more message (a log notification) "
    "on that stream",
    hook="wrap_app", behaviour=MessageAfterRound,
    requirements=("mrtr.sse-last",), scenarios=("mrtr-rounds",))
