"""The answers the host gives the server's questions, on both revisions: the wire clients call
`Answers.before(method, params)` and then `Answers.answer(method, params)` for every elicitation/create and
sampling/createMessage (2025-11-25: a request on the stream; 2026-07-28: an InputRequiredResult round or a
task's inputRequests). `before` is where the person is asked (a form built from `requestedSchema`, the URL of
a URL-mode elicitation, the sampling prompt); `answer` hands over what they chose. Without a person
(`--yes`, or stdin not a terminal) the flags answer: `--elicit`, `--sampling`."""

from __future__ import annotations

import json
from typing import Any

import anyio

from harness.client.answers import Answers
from harness.errors import UsageError
from harness.host import sampling
from harness.host.display import Screen
from harness.host.picker import json_object, prompt_fields
from harness.host.sampling import SamplingSource

CHOICES = {"a": "accept", "d": "decline", "c": "cancel", "accept": "accept", "decline": "decline", "cancel": "cancel"}


def parse_elicit(spec: str | None) -> tuple[str, dict[str, Any] | None]:
    """`--elicit accept[:JSON] | decline | cancel` -> (action, content or None for the schema's defaults)."""
    if spec is None:
        return "accept", None
    action, sep, rest = spec.partition(":")
    if action not in ("accept", "decline", "cancel") or (sep and action != "accept"):
        raise UsageError(f"--elicit {spec!r}: expected accept, accept:JSON, decline or cancel")
    if not sep:
        return action, None
    return "accept", json_object(rest, "--elicit accept:JSON")


class HostAnswers(Answers):
    def __init__(self, screen: Screen, *, elicit: tuple[str, dict[str, Any] | None], source: SamplingSource) -> None:
        super().__init__(elicitation=elicit[0], elicitation_content=elicit[1])
        self.screen = screen
        self.source = source
        self.before = self._prepare
        self._ready: dict[int, tuple[str, dict[str, Any], str]] = {}
        self._lock = anyio.Lock()  # one question at a time on the terminal
        self.asked = 0

    async def _prepare(self, method: str, params: dict[str, Any]) -> None:
        async with self._lock:
            self.asked += 1
            if method == "elicitation/create":
                self._ready[id(params)] = await self._elicit(params)
            elif method == "sampling/createMessage":
                self._ready[id(params)] = await self._sample(params)

    def answer(self, method: str, params: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        ready = self._ready.pop(id(params), None)
        return ready if ready is not None else super().answer(method, params)

    # -- elicitation --------------------------------------------------------------------------------
    async def _elicit(self, params: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        say = self.screen.say
        say(f"the server asks: {params.get('message', '')}")
        url = params.get("url") if params.get("mode") == "url" else None
        if url:
            say(f"  open this URL to answer: {url}")
        if not self.screen.interactive:
            if url:
                return "result", {"action": self.elicitation}, f"url-{self.elicitation}"
            scripted = self.elicit(params)
            say(f"  answered {scripted['action']} (from --elicit)" + (f": {json.dumps(scripted['content'])}"
                                                                      if "content" in scripted else ""))
            return "result", scripted, self.elicitation
        content = None
        if not url:
            content = await prompt_fields(params.get("requestedSchema") or {}, {}, self.screen.ask, say)
        while True:
            choice = CHOICES.get((await self.screen.ask("accept, decline or cancel? [a/d/c]")).strip().lower())
            if choice:
                break
            say("  type a (accept), d (decline) or c (cancel)")
        reply: dict[str, Any] = {"action": choice}
        if choice == "accept" and content is not None:
            reply["content"] = content
        return "result", reply, f"typed-{choice}"

    # -- sampling -------------------------------------------------------------------------------------
    async def _sample(self, params: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        say, src = self.screen.say, self.source
        say("the server asks your model:")
        for line in sampling.prompt_text(params).splitlines():
            say(f"  {line}")
        if src.kind == "scripted":
            say(f"  answered (scripted): {src.text}")
            return "result", sampling.completion(src.text, "faultline-scripted"), "scripted"
        if src.kind == "endpoint":
            kind, obj = await sampling.ask_endpoint(src, params)
            say(f"  {src.model} answered: {obj['content']['text']}" if kind == "result" else f"  {obj['message']}")
            return kind, obj, "endpoint"
        if src.kind == "refuse" or not self.screen.interactive:
            say("  refused" + (" (no --sampling given)" if src.kind != "refuse" else ""))
            return "error", dict(sampling.REFUSED), "refuse"
        text = (await self.screen.ask("type the completion (empty line: refuse)")).strip()
        if not text:
            say("  refused")
            return "error", dict(sampling.REFUSED), "typed-refuse"
        return "result", sampling.completion(text, "a person at the keyboard"), "typed"
