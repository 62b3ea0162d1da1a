"""Who answers the servers' questions: the user (elicitation) and a scripted model (sampling).

Both are plain callables taking the request's `params` (a dict) and returning the result's JSON
(an ElicitResult / a CreateMessageResult), sync or async; inject your own into the Orchestrator.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

Handler = Callable[[dict[str, Any]], "dict[str, Any] | Awaitable[dict[str, Any]]"]
_PRICE = re.compile(r"\$\s?(\d[\d,]*)")


class BudgetUser:
    """Confirms a price within the budget (0: no limit); declines anything else."""

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        message = str(params.get("message", ""))
        m = _PRICE.search(message)
        price = int(m.group(1).replace(",", "")) if m else None
        if self.budget == 0 or (price is not None and price <= self.budget):
            return {"action": "accept", "content": {"confirm": True, "notes": "within budget"}}
        return {"action": "decline"}


class ScriptedModel:
    """A deterministic 'model': the same prompt always gets the same short summary."""

    name = "faultline-scripted-model"

    def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        prompt = "\n".join(_texts(params.get("messages") or []))
        lines = [ln.strip() for ln in prompt.splitlines() if ln.strip()]
        # "- TOPIC: finding" -> "finding": the points, without the topic each one repeats
        points = [ln.lstrip("-* ").strip().rpartition(": ")[2] for ln in lines if ln.startswith(("-", "*"))]
        digest = hashlib.sha256(prompt.encode()).hexdigest()[:8]
        if points:
            text = f"{points[0][:1].upper()}{points[0][1:]}" + "".join(f"; {p}" for p in points[1:3]) + "."
        else:
            text = f"Nothing to summarise in: {_short(lines[0] if lines else '(empty prompt)')}."
        return {"role": "assistant", "content": {"type": "text", "text": f"{text} [scripted model {digest}]"},
                "model": self.name, "stopReason": "endTurn"}


def _texts(messages: list[Any]) -> list[str]:
    out: list[str] = []
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        for block in content if isinstance(content, list) else [content]:
            if isinstance(block, dict) and block.get("type") == "text":
                out.append(str(block.get("text", "")))
    return out


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


async def answer(handler: Handler, params: dict[str, Any]) -> dict[str, Any]:
    """Call a sync or async handler."""
    out = handler(params)
    if inspect.isawaitable(out):
        out = await out
    if not isinstance(out, dict):
        raise TypeError(f"a handler returned {type(out).__name__}, not a result dict")
    return out
