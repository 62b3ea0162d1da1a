"""Scripted answers to the server's questions: elicitation and sampling, every way a user can."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JSON = Any


@dataclass
class Answers:
    elicitation: str = "accept"  # accept | decline | cancel
    elicitation_content: dict[str, JSON] | None = field(default=None)
    sampling: str = "success"  # success | reject | error
    sampling_text: str = "A short, scripted summary from the client's model."
    # awaited before each answer is sent (method, params): a scenario acts while the server waits on the user
    before: Callable[[str, dict[str, JSON]], Awaitable[None]] | None = field(default=None, compare=False)

    def elicit(self, params: dict[str, JSON]) -> dict[str, JSON]:
        """The JSON-RPC `result` for an elicitation/create (form mode)."""
        if self.elicitation == "accept":
            content = self.elicitation_content
            if content is None:
                content = _defaults(params.get("requestedSchema") or {})
            return {"action": "accept", "content": content}
        return {"action": self.elicitation}

    def sample(self, params: dict[str, JSON]) -> tuple[str, dict[str, JSON]]:
        """("result" | "error", object) for a sampling/createMessage."""
        if self.sampling == "reject":
            return "error", {"code": -1, "message": "User rejected sampling request"}
        if self.sampling == "error":
            return "error", {"code": -32603, "message": "the client's model failed"}
        return "result", {"role": "assistant", "content": {"type": "text", "text": self.sampling_text},
                          "model": "faultline-scripted", "stopReason": "endTurn"}

    def answer(self, method: str, params: dict[str, JSON]) -> tuple[str, dict[str, JSON], str]:
        """(kind, object, script) for any server->client request."""
        if method == "elicitation/create":
            return "result", self.elicit(params), self.elicitation
        if method == "sampling/createMessage":
            kind, obj = self.sample(params)
            return kind, obj, self.sampling
        if method == "roots/list":
            return "result", {"roots": []}, "roots"
        if method == "ping":
            return "result", {}, "ping"
        return "error", {"code": -32601, "message": f"method not found: {method}"}, "unknown"


def _defaults(schema: dict[str, JSON]) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = (prop or {}).get("type")
        if "default" in (prop or {}):
            out[name] = prop["default"]
        elif kind == "boolean":
            out[name] = True
        elif kind in ("number", "integer"):
            out[name] = 1
        elif kind == "string":
            out[name] = (prop.get("enum") or ["yes"])[0]
    return out
