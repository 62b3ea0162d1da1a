"""Choosing the tool and its arguments: the tool list, `--args JSON` / `--arg k=v` read against the tool's
inputSchema, and the prompts a person answers for what is missing (types, defaults, enums, required). The
same field prompts fill an elicitation form (form.py): one JSON-Schema property, one question."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from harness.errors import UsageError

Ask = Callable[[str], Awaitable[str]]  # shows a question, returns the line the person typed
Say = Callable[[str], None]
TRUE = ("y", "yes", "true", "1", "on")
FALSE = ("n", "no", "false", "0", "off")


def find_tool(tools: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for tool in tools:
        if tool.get("name") == name:
            return tool
    names = ", ".join(str(t.get("name")) for t in tools) or "none"
    raise UsageError(f"unknown tool {name!r} (the server has: {names})")


async def pick_tool(tools: list[dict[str, Any]], ask: Ask, say: Say) -> dict[str, Any]:
    if not tools:
        raise UsageError("the server lists no tools")
    for i, tool in enumerate(tools, 1):
        say(f"  {i:>2}. {tool.get('name')}  {(tool.get('description') or '').strip()[:90]}")
    while True:
        text = (await ask("tool (number or name)")).strip()
        if text.isdigit() and 1 <= int(text) <= len(tools):
            return tools[int(text) - 1]
        found = [t for t in tools if t.get("name") == text]
        if found:
            return found[0]
        say(f"  no tool {text!r}: type its number (1-{len(tools)}) or its name")


def properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props = schema.get("properties") if isinstance(schema, dict) else None
    return {k: v if isinstance(v, dict) else {} for k, v in (props or {}).items()}


def coerce(text: str, prop: dict[str, Any]) -> Any:
    """The value `text` means for the JSON-Schema property `prop`; ValueError (its message says why) if none."""
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    value: Any
    if kind == "integer":
        value = int(text)
    elif kind == "number":
        value = float(text)
    elif kind == "boolean":
        low = text.strip().lower()
        if low not in TRUE + FALSE:
            raise ValueError("answer yes or no")
        value = low in TRUE
    elif kind in ("array", "object"):
        value = json.loads(text)
        if not isinstance(value, list if kind == "array" else dict):
            raise ValueError(f"expected a JSON {kind}")
    elif kind == "string" or not kind:
        value = text
    else:
        raise ValueError(f"type {kind!r} is not supported")
    problem = violation(value, prop)
    if problem:
        raise ValueError(problem)
    return value


def violation(value: Any, prop: dict[str, Any]) -> str | None:
    """What a value breaks of its property's constraints (enum, length, range), or None."""
    enum = prop.get("enum") or [o.get("const") for o in prop.get("oneOf") or [] if isinstance(o, dict)]
    if enum and value not in enum:
        return f"one of {', '.join(map(str, enum))}"
    if isinstance(value, str):
        if len(value) < int(prop.get("minLength") or 0):
            return f"at least {prop['minLength']} characters"
        if prop.get("maxLength") is not None and len(value) > int(prop["maxLength"]):
            return f"at most {prop['maxLength']} characters"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if prop.get("minimum") is not None and value < prop["minimum"]:
            return f"at least {prop['minimum']}"
        if prop.get("maximum") is not None and value > prop["maximum"]:
            return f"at most {prop['maximum']}"
    return None


def describe(name: str, prop: dict[str, Any], required: bool) -> str:
    bits = [str(prop.get("type") or "string")]
    enum = prop.get("enum") or [o.get("const") for o in prop.get("oneOf") or [] if isinstance(o, dict)]
    if enum:
        bits.append("one of " + "/".join(map(str, enum)))
    if "default" in prop:
        bits.append(f"default {json.dumps(prop['default'])}")
    bits.append("Enter: the default" if "default" in prop else "required" if required else "optional, Enter to skip")
    title = prop.get("description") or prop.get("title") or ""
    return f"{name} ({', '.join(bits)})" + (f" - {title}" if title else "")


async def prompt_fields(schema: dict[str, Any], given: dict[str, Any], ask: Ask, say: Say, *,
                        fill_defaults: bool = True, only_required: bool = False) -> dict[str, Any]:
    """Ask for every property of `schema` not in `given`, until each answer is valid; an empty answer takes the
    default (sent as such with `fill_defaults`, else left to the server), or leaves an optional property out.
    `only_required`: ask only for the required properties without a default."""
    out = dict(given)
    required = set(schema.get("required") or [])
    for name, prop in properties(schema).items():
        if name in out or (only_required and (name not in required or "default" in prop)):
            continue
        while True:
            text = (await ask(describe(name, prop, name in required))).strip()
            if not text:
                if "default" in prop:
                    if fill_defaults:
                        out[name] = prop["default"]
                    break
                if name not in required:
                    break
                say(f"  {name} is required")
                continue
            try:
                out[name] = coerce(text, prop)
                break
            except ValueError as exc:
                say(f"  not a valid {name}: {exc}")
    return out


def json_object(text: str, flag: str) -> dict[str, Any]:
    """A flag's JSON object, or a UsageError saying what is wrong with it."""
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise UsageError(f"{flag}: expected a JSON object")
    return parsed


def arguments_from_flags(args_json: str | None, pairs: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """`--args JSON` (an object) and each `--arg k=v` (the value read as the property's type)."""
    out: dict[str, Any] = {}
    if args_json is not None:
        out.update(json_object(args_json, "--args"))
    props = properties(schema)
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--arg {pair!r}: expected NAME=VALUE")
        if props and key not in props and schema.get("additionalProperties") is False:
            raise UsageError(f"--arg {key}: the tool has no argument {key!r} (it has: {', '.join(props)})")
        try:
            out[key] = coerce(text, props.get(key) or {"type": "string"})
        except ValueError as exc:
            raise UsageError(f"--arg {key}={text}: {exc}") from None
    return out


def missing_required(schema: dict[str, Any], given: dict[str, Any]) -> list[str]:
    return [n for n in schema.get("required") or [] if n not in given and "default" not in properties(schema).get(n, {})]
