"""Target profiles: which tool (and arguments) plays each scenario role on a given server.

A role a profile lacks makes the scenarios that need it NOT-APPLICABLE, with the reason.
Built-ins: `reference` (Faultline's reference agents) and `conformance-fixtures` (servers built
for the official conformance suite's fixture tools). A user profile is a YAML or JSON file:

    name: my-server
    roles:
      progress: {tool: slow_count, arguments: {n: 5}}
      elicitation: {tool: confirm, arguments: {}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UsageError


@dataclass(frozen=True)
class Role:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str
    roles: dict[str, Role]
    restartable: bool = False  # the target keeps its state across a restart (durable store)

    def role(self, name: str) -> Role | None:
        return self.roles.get(name)


REFERENCE = Profile(
    name="reference",
    roles={
        "progress": Role("long_running_agent", {"steps": 5}),
        "long_running": Role("long_running_agent", {"steps": 8}),
        "elicitation": Role("travel_agent", {"destination": "Lisbon"}),
        "sampling": Role("research_agent", {"topic": "tidal energy"}),
        "server_close": Role("long_running_agent", {"steps": 6, "close_stream_after": 2}),
        "effect": Role("long_running_agent", {"steps": 8, "step_ms": 30, "job": "faultline-effect"}),
        "resource": Role("travel_agent", {"destination": "Bergen"}),
        "task": Role("long_running_agent", {"steps": 4, "step_ms": 400}),
        "task_input": Role("travel_agent", {"destination": "Tromsø"}),
    },
    restartable=True,
)

CONFORMANCE_FIXTURES = Profile(  # the official suite's fixture tools (official-suite notes §4)
    name="conformance-fixtures",
    roles={
        "progress": Role("test_tool_with_progress", {}),  # progress 0, 50, 100 of 100, 50 ms apart
        "long_running": Role("test_tool_with_progress", {}),  # the longest fixture stream (3 events + result)
        "server_close": Role("test_reconnection", {}),  # closes its own SSE stream, then completes
        "elicitation": Role("test_elicitation", {"message": "Please provide your information"}),
        "sampling": Role("test_sampling", {"prompt": "Test prompt for sampling"}),
    },
)

BUILTIN = {p.name: p for p in (REFERENCE, CONFORMANCE_FIXTURES)}


def load_profile(spec: str) -> Profile:
    """A built-in profile name or a path to a YAML/JSON profile file (errors are UsageError)."""
    if spec in BUILTIN:
        return BUILTIN[spec]
    path = Path(spec)
    if not path.exists():
        raise UsageError(f"unknown profile {spec!r}: not one of {', '.join(BUILTIN)} and no such file")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise UsageError(f"profile {path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
        raise UsageError(f"profile {path}: expected a mapping with a 'roles' mapping")
    roles: dict[str, Role] = {}
    for role, body in data["roles"].items():
        if not isinstance(body, dict) or not isinstance(body.get("tool"), str):
            raise UsageError(f"profile {path}: role {role!r} needs a 'tool' name")
        args = body.get("arguments") or {}
        if not isinstance(args, dict):
            raise UsageError(f"profile {path}: role {role!r}: 'arguments' must be a mapping")
        roles[str(role)] = Role(body["tool"], args)
    return Profile(name=str(data.get("name") or path.stem), roles=roles, restartable=bool(data.get("restartable")))
