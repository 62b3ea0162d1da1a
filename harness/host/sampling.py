"""Where the answer to a server's `sampling/createMessage` comes from: the person types it, a script gives it
(`--sampling "scripted:TEXT"`, `--sampling refuse`), or a model does — any OpenAI-compatible chat-completions
server (llama.cpp, vLLM, Ollama: `--sampling-endpoint URL --sampling-model NAME`; a key, if the server wants
one, from $OPENAI_API_KEY). Each returns ("result" | "error", the JSON-RPC object)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

from harness.errors import UsageError

REFUSED = {"code": -1, "message": "User rejected sampling request"}
STOP_REASONS = {"stop": "endTurn", "length": "maxTokens"}


@dataclass(frozen=True)
class SamplingSource:
    kind: str  # "ask" (the person types it) | "scripted" | "refuse" | "endpoint"
    text: str = ""
    endpoint: str = ""
    model: str = ""


def parse_source(spec: str | None, endpoint: str | None, model: str | None, *, interactive: bool) -> SamplingSource:
    if endpoint:
        if spec:
            raise UsageError("--sampling and --sampling-endpoint: give one of them")
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"--sampling-endpoint {endpoint!r}: expected an http(s) URL")
        if not model:
            raise UsageError("--sampling-endpoint needs --sampling-model NAME")
        return SamplingSource("endpoint", endpoint=endpoint, model=model)
    if model:
        raise UsageError("--sampling-model goes with --sampling-endpoint")
    if spec is None:
        return SamplingSource("ask" if interactive else "refuse")
    if spec.startswith("scripted:"):
        return SamplingSource("scripted", text=spec[len("scripted:"):])
    if spec in ("refuse", "ask"):
        return SamplingSource(spec)
    raise UsageError(f"--sampling {spec!r}: expected scripted:TEXT, refuse or ask")


def completion(text: str, model: str, stop: str = "endTurn") -> dict[str, Any]:
    return {"role": "assistant", "content": {"type": "text", "text": text}, "model": model, "stopReason": stop}


def _text(content: Any) -> str:
    """The text of an MCP message's content (one block or a list of them); other blocks are named."""
    blocks = content if isinstance(content, list) else [content]
    parts = []
    for b in blocks:
        if isinstance(b, dict):
            parts.append(str(b.get("text")) if b.get("type") == "text" else f"[{b.get('type')} content]")
    return "\n".join(parts)


def prompt_text(params: dict[str, Any]) -> str:
    """What the server asks the model, for a person to read."""
    lines = [f"system: {params['systemPrompt']}"] if params.get("systemPrompt") else []
    for m in params.get("messages") or []:
        if isinstance(m, dict):
            lines.append(f"{m.get('role', 'user')}: {_text(m.get('content'))}")
    return "\n".join(lines)


def chat_request(params: dict[str, Any], model: str) -> dict[str, Any]:
    """The chat-completions body for a sampling/createMessage's params."""
    messages = [{"role": "system", "content": params["systemPrompt"]}] if params.get("systemPrompt") else []
    for m in params.get("messages") or []:
        if isinstance(m, dict):
            messages.append({"role": "assistant" if m.get("role") == "assistant" else "user",
                             "content": _text(m.get("content"))})
    body: dict[str, Any] = {"model": model, "messages": messages, "stream": False}
    if isinstance(params.get("maxTokens"), int):
        body["max_tokens"] = params["maxTokens"]
    if isinstance(params.get("temperature"), int | float):
        body["temperature"] = params["temperature"]
    if params.get("stopSequences"):
        body["stop"] = params["stopSequences"]
    return body


def chat_url(endpoint: str) -> str:
    """The endpoint as given if it names /chat/completions, else that path under it (`http://h:p/v1`)."""
    e = endpoint.rstrip("/")
    return e if e.endswith("/chat/completions") else e + "/chat/completions"


async def ask_endpoint(source: SamplingSource, params: dict[str, Any], *, timeout: float = 60.0) -> tuple[str, dict]:
    """One chat-completions request; a model that fails is an error answer to the server, never a crash."""
    headers = {"content-type": "application/json"}
    key = os.environ.get("OPENAI_API_KEY")
    if key:
        headers["authorization"] = f"Bearer {key}"
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            resp = await http.post(chat_url(source.endpoint), json=chat_request(params, source.model), headers=headers)
        data = resp.json() if resp.status_code == 200 else None
        choice = (data or {}).get("choices", [{}])[0]
        text = (choice.get("message") or {}).get("content")
    except (httpx.HTTPError, ValueError, AttributeError, IndexError, TypeError) as exc:
        return "error", {"code": -32603, "message": f"the sampling endpoint failed: {type(exc).__name__}: {exc}"}
    if resp.status_code != 200 or not isinstance(text, str):
        return "error", {"code": -32603, "message": f"the sampling endpoint answered {resp.status_code} without a "
                                                     "completion"}
    stop = STOP_REASONS.get(str(choice.get("finish_reason")), "endTurn")
    return "result", completion(text, str((data or {}).get("model") or source.model), stop)
