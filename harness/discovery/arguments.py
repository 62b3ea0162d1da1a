"""Arguments for a tool call, from its inputSchema alone: defaults, examples, enums and types.

Required properties always get a value. Of the optional ones only the knobs a role turns are set:
a count (steps, n, count...) to a few steps, a duration to about a second (the longer variant for
the `long_running` role doubles both where it can), a flag that makes the tool ask for input (the
`task_input` variant) and a "close the stream after k" knob (the `server_close` variant).
"""

from __future__ import annotations

import re
from typing import Any

COUNT = re.compile(r"^(n|num|number|steps?|count|iterations?|times|total|repeats?|rounds?|ticks?|events?|updates?|"
                   r"messages?|items?|n_?steps|num_?\w+|number_?of_?\w+|\w+_count|\w+_steps)$", re.IGNORECASE)
TOTAL_TIME = re.compile(r"(^|_)(duration|seconds?|secs?|total_?time|run_?time)($|_)", re.IGNORECASE)
STEP_TIME = re.compile(r"(^|_)(delay|sleep|wait|interval|period|pause|step_?ms|tick)($|_)", re.IGNORECASE)
MILLIS = re.compile(r"(ms|millis|milliseconds?)$", re.IGNORECASE)
CLOSE = re.compile(r"close|disconnect|reconnect|poll", re.IGNORECASE)
ASKS = re.compile(r"input.?required|clarif|elicit|ambiguous|ask(s|ing)? (the )?user|confirm", re.IGNORECASE)
PROGRESS_STEPS = 5  # a count knob without a usable default
CLOSE_AFTER = 2  # the step after which a server_close variant asks the server to close the stream
STRING = "faultline"


def mapping(obj: Any, key: str) -> dict[str, Any]:
    """obj[key] when it is a mapping, else an empty one (schemas and annotations are often absent)."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def _kind(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        for alt in prop.get("anyOf") or prop.get("oneOf") or []:
            if isinstance(alt, dict) and alt.get("type") not in (None, "null"):
                return str(alt["type"])
    return str(kind or "")


def _clamp(value: float, prop: dict[str, Any], kind: str) -> int | float:
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if isinstance(lo, int | float):
        value = max(value, lo + (1 if prop.get("exclusiveMinimum") is True else 0))
    if isinstance(prop.get("exclusiveMinimum"), int | float):
        value = max(value, prop["exclusiveMinimum"] + 1)
    if isinstance(hi, int | float):
        value = min(value, hi)
    return int(value) if kind == "integer" or float(value).is_integer() else value


def _number(prop: dict[str, Any]) -> float | None:
    default = prop.get("default")
    return float(default) if isinstance(default, int | float) and not isinstance(default, bool) else None


def _string(name: str, prop: dict[str, Any]) -> str:
    fmt = str(prop.get("format") or "")
    if fmt in ("uri", "url", "iri"):
        return "https://example.invalid/faultline"  # a reserved name: resolves nowhere
    if fmt == "email":
        return "faultline@example.invalid"
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    lo = prop.get("minLength")
    text = STRING if not isinstance(lo, int) or lo <= len(STRING) else STRING * (lo // len(STRING) + 1)
    return text


def value_for(name: str, prop: dict[str, Any]) -> Any:
    """A plausible value of one property: default, example, const, enum, else one of its type."""
    for key in ("default", "const"):
        if key in prop:
            return prop[key]
    examples = prop.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return prop["enum"][0]
    kind = _kind(prop)
    if kind in ("integer", "number"):
        return _clamp(1, prop, kind)
    if kind == "boolean":
        return False
    if kind == "array":
        n = prop.get("minItems")
        return [value_for(name, mapping(prop, "items")) for _ in range(n if isinstance(n, int) else 0)]
    if kind == "object":
        return arguments_for({"inputSchema": prop})
    if kind == "null":
        return None
    return _string(name, prop)


def _knob(name: str, prop: dict[str, Any], *, longer: bool) -> Any:
    """The value a role wants for a count or duration knob, or None if `name` is no such knob."""
    kind = _kind(prop)
    if kind not in ("integer", "number"):
        return None
    default = _number(prop)
    if COUNT.match(name):
        steps = default if default is not None and 3 <= default <= 10 else PROGRESS_STEPS
        return _clamp(steps * (2 if longer else 1), prop, kind)
    if MILLIS.search(name) and (STEP_TIME.search(name) or TOTAL_TIME.search(name) or name.lower() == "ms"):
        total = bool(TOTAL_TIME.search(name))
        base = min(default, 100.0) if default is not None else 100.0
        return _clamp(base * (2 if longer and total else 1), prop, kind)
    if TOTAL_TIME.search(name):
        return _clamp(2 if longer else 1, prop, kind)
    if STEP_TIME.search(name):
        return _clamp(min(default, 0.2) if default is not None else 0.1, prop, kind)
    return None


def properties(tool: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    schema = mapping(tool, "inputSchema")
    props = {str(k): v for k, v in mapping(schema, "properties").items() if isinstance(v, dict)}
    required = [str(r) for r in (schema.get("required") or []) if isinstance(r, str)]
    return props, required


def arguments_for(tool: dict[str, Any], *, longer: bool = False, ask: bool = False,
                  close_after: bool = False) -> dict[str, Any]:
    """Arguments for one call of `tool` (a tools/list entry, or {"inputSchema": schema})."""
    props, required = properties(tool)
    args: dict[str, Any] = {}
    for name, prop in props.items():
        knob = _knob(name, prop, longer=longer)
        if close_after and CLOSE.search(name) and _kind(prop) in ("integer", "number"):
            args[name] = _clamp(CLOSE_AFTER, prop, _kind(prop))
        elif ask and _kind(prop) == "boolean" and ASKS.search(f"{name} {prop.get('description') or ''}"):
            args[name] = True
        elif knob is not None:
            args[name] = knob
        elif name in required:
            args[name] = value_for(name, prop)
    for name in required:  # required but not described in properties
        args.setdefault(name, STRING)
    return args


def has_close_knob(tool: dict[str, Any]) -> bool:
    props, _ = properties(tool)
    return any(CLOSE.search(n) and _kind(p) in ("integer", "number") for n, p in props.items())


def has_ask_flag(tool: dict[str, Any]) -> bool:
    props, _ = properties(tool)
    return any(_kind(p) == "boolean" and ASKS.search(f"{n} {p.get('description') or ''}") for n, p in props.items())
