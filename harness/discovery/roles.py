"""Roles guessed from tools/list alone (no tool is called): names, descriptions, schemas, taskSupport.

A guess is only a guess: `faultline run` without a profile plays the guessed roles (a role tool that
then answers "unknown tool" makes its scenarios ERROR, never PASS), and `faultline discover --probe`
calls the tools to confirm or refute each guess (harness/discovery/choose.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from harness.discovery.arguments import arguments_for, has_ask_flag, has_close_knob, mapping, properties
from scenarios.api import EFFECT, ELICIT, LONG, PROGRESS, SAMPLE, SERVER_CLOSE, TASK, TASK_INPUT

PROGRESS_WORDS = re.compile(r"progress|long.running|step by step|each step|steps")
ELICIT_WORDS = re.compile(r"elicit|confirm|asks? (you|the user)\b|user input|clarif")
SAMPLE_WORDS = re.compile(r"sampling|createmessage|\bllm\b|your model|language model")
URL_MODE = re.compile(r"\burl\b|async")  # url-mode elicitation and client-side task requests play no role


@dataclass
class Proposal:
    """A tool (and arguments) for one role, and why."""

    role: str
    tool: str
    arguments: dict[str, Any]
    why: str
    verified: bool = False  # a probe call showed the behaviour the role needs
    notes: list[str] = field(default_factory=list)


def text_of(tool: dict[str, Any]) -> str:
    words = " ".join(str(tool.get(k) or "") for k in ("name", "title", "description"))
    return " ".join(words.replace("_", " ").replace("-", " ").lower().split())


def task_support(tool: dict[str, Any]) -> str:
    return str(mapping(tool, "execution").get("taskSupport") or "forbidden")


def asks(tool: dict[str, Any]) -> bool:
    text = text_of(tool)
    return bool(ELICIT_WORDS.search(text) or SAMPLE_WORDS.search(text))


def _score(role: str, tool: dict[str, Any]) -> int:
    """How strongly tools/list suggests `tool` for `role` (0: not at all)."""
    text = text_of(tool)
    plain_ok = task_support(tool) != "required"
    props, _ = properties(tool)
    knobs = sum(1 for n in props if re.search(r"step|count|^n$|duration|delay|ms$", n, re.IGNORECASE))
    if role == PROGRESS:
        if not plain_ok or not PROGRESS_WORDS.search(text) or asks(tool):
            return 0
        return 2 + min(knobs, 2) + ("progress" in text)
    if role == ELICIT:
        if not plain_ok or URL_MODE.search(text) or not ELICIT_WORDS.search(text):
            return 0
        return 2 + ("elicit" in text) - bool(SAMPLE_WORDS.search(text))
    if role == SAMPLE:
        if not plain_ok or URL_MODE.search(text) or not SAMPLE_WORDS.search(text):
            return 0
        return 2 + ("sampling" in text) - bool(ELICIT_WORDS.search(text))
    if role == SERVER_CLOSE:
        return 2 + bool(PROGRESS_WORDS.search(text)) if plain_ok and has_close_knob(tool) else 0
    if role == EFFECT:
        return 2 if plain_ok and "job_runs_completed" in mapping(mapping(tool, "outputSchema"), "properties") else 0
    if role == TASK:
        if task_support(tool) not in ("optional", "required"):
            return 0
        return 2 + 2 * (not asks(tool)) + bool(PROGRESS_WORDS.search(text))
    if role == TASK_INPUT:
        if task_support(tool) not in ("optional", "required"):
            return 0
        return 2 + 2 * has_ask_flag(tool) if (ELICIT_WORDS.search(text) or has_ask_flag(tool)) else 0
    return 0


def candidates(role: str, tools: dict[str, dict[str, Any]], *, offers_tasks: bool) -> list[str]:
    """Tools that tools/list suggests for `role`, the most likely first."""
    if role in (TASK, TASK_INPUT) and not offers_tasks:
        return []
    scored = [(_score(role, t), name) for name, t in tools.items()]
    return [name for score, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


def arguments_of(role: str, tool: dict[str, Any]) -> dict[str, Any]:
    return arguments_for(tool, longer=role == LONG, ask=role == TASK_INPUT, close_after=role == SERVER_CLOSE)


def guess(tools: dict[str, dict[str, Any]], *, offers_tasks: bool,
          exclude: set[str] | None = None) -> dict[str, Proposal]:
    """One proposal per role tools/list suggests a tool for (none for `resource`: only a call shows it)."""
    out: dict[str, Proposal] = {}
    for role in (PROGRESS, ELICIT, SAMPLE, SERVER_CLOSE, EFFECT, TASK, TASK_INPUT):
        names = [n for n in candidates(role, tools, offers_tasks=offers_tasks) if n not in (exclude or set())]
        if names:
            tool = tools[names[0]]
            out[role] = Proposal(role, names[0], arguments_of(role, tool), _why(role, tool))
    if PROGRESS in out:
        p = out[PROGRESS]
        out[LONG] = Proposal(LONG, p.tool, arguments_of(LONG, tools[p.tool]),
                             "the progress tool, with its count and duration knobs doubled where it has them")
    return out


def _why(role: str, tool: dict[str, Any]) -> str:
    if role in (TASK, TASK_INPUT):
        return f"execution.taskSupport {task_support(tool)}" + (
            "; its description or a flag says it asks the user" if role == TASK_INPUT else "")
    if role == SERVER_CLOSE:
        return "it has a knob to close its stream (set to close after a few steps)"
    if role == EFFECT:
        return "its outputSchema has job_runs_completed"
    about = " ".join(str(tool.get("description") or tool.get("title") or tool.get("name")).split())
    return f"its name or description suggests it: {about[:100]!r}"
