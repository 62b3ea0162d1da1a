"""Target profiles: which tool (and arguments) plays each scenario role on a given server.

A role a profile lacks makes the scenarios that need it NOT-APPLICABLE, with the reason.
Built-ins: `reference` (Faultline's reference agents), `conformance-fixtures` (servers built for the
official conformance suite's fixture tools) and `auto` (no profile given: the reference profile on the
reference agents, otherwise roles discovered from the server's tools/list, see harness/discovery).
A user profile is a YAML or JSON file (`faultline discover` writes one):

    name: my-server
    restartable: false
    roles:
      progress: {tool: slow_count, arguments: {n: 5}}
      elicitation: {tool: confirm, arguments: {}}

Unknown keys and role names are usage errors; whether each tool exists is checked against the
server's tools/list before any scenario runs (harness/discovery/preflight.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.yamlfile import load_yaml_file
from scenarios.api import ELICIT, ROLES, ROUNDS

PROFILE_KEYS = ("name", "restartable", "roles")
ROLE_KEYS = ("tool", "arguments")
AUTO_NAME = "auto"


@dataclass(frozen=True)
class Role:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str
    roles: dict[str, Role]
    # the target keeps its state (results, tasks, event store) across a kill and restart: None = not said,
    # which the restart scenarios treat as "no" (they are NOT-APPLICABLE unless a profile says true)
    restartable: bool | None = None
    auto: bool = False  # resolve against the server before the run (reference agents, or discovery)
    origin: str = ""  # where the roles came from, for the reasons the runner prints

    def role(self, name: str) -> Role | None:
        """The role's tool; `rounds` falls back to `elicitation`, whose 2026-07-28 form is an input_required round
        (a profile names `rounds` only where its elicitation tool does not answer so at 2026-07-28)."""
        found = self.roles.get(name)
        return found if found is not None or name != ROUNDS else self.roles.get(ELICIT)

    @property
    def tools(self) -> set[str]:
        return {r.tool for r in self.roles.values()}

    def not_restartable(self) -> str | None:
        """Why the restart scenarios cannot run on this profile's target, or None if they can."""
        if self.restartable:
            return None
        said = "says restartable: false" if self.restartable is False else "does not say restartable: true"
        return f"profile {self.name!r} {said} (the server is not known to keep its state across a restart)"


REFERENCE = Profile(
    name="reference",
    roles={
        "progress": Role("long_running_agent", {"steps": 5}),
        "long_running": Role("long_running_agent", {"steps": 8}),
        "elicitation": Role("travel_agent", {"destination": "Lisbon"}),
        "sampling": Role("research_agent", {"topic": "tidal energy"}),
        "server_close": Role("long_running_agent", {"steps": 6, "close_stream_after": 2}),
        # 60 ms a step (0.48 s a run): a cut after the first event must reach the server while the run still has
        # 0.4 s to go, even when a loaded harness (the fuzzer's 12 workers on 2 cores) delivers the stream and the
        # close 0.2 s late; at 30 ms a step the run had completed first and disconnect-is-cancel FAILed the clean
        # agents (tests/fixtures/histories/good/fuzz-late-cut-under-load@2026-07-28.jsonl)
        "effect": Role("long_running_agent", {"steps": 8, "step_ms": 60, "job": "faultline-effect"}),
        "resource": Role("travel_agent", {"destination": "Bergen"}),
        # 300 ms a step: a restarted agent resumes the task at once, and task-restart-each-step must see step k
        # and kill inside step k+1 (its restart, connect and polls within two steps, on a loaded machine too)
        "task": Role("long_running_agent", {"steps": 4, "step_ms": 300}),
        "task_input": Role("travel_agent", {"destination": "Tromsø"}),
        "list_change": Role("catalogue_agent", {}),
        "burst": Role("announce_burst", {"count": 24, "gap_ms": 5}),
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
        # 2026-07-28 (0.2 fixtures): two elicitation rounds with a requestState; a tool that toggles a tool
        "rounds": Role("test_input_required_result_multi_round", {}),
        "list_change": Role("test_trigger_tool_change", {}),
    },
    restartable=False,
)

AUTO = Profile(name=AUTO_NAME, roles={}, auto=True, origin="resolved against the server before the run")

BUILTIN = {p.name: p for p in (REFERENCE, CONFORMANCE_FIXTURES, AUTO)}


def load_profile(spec: str | None) -> Profile:
    """A built-in profile name (None: `auto`) or a path to a YAML/JSON profile file (errors are UsageError)."""
    if spec is None:
        return AUTO
    if spec in BUILTIN:
        return BUILTIN[spec]
    path = Path(spec)
    if not path.exists():
        raise UsageError(f"unknown profile {spec!r}: not one of {', '.join(BUILTIN)} and no such file")
    data = load_yaml_file(path, "profile")
    return parse_profile(data, str(path), default_name=path.stem)


def parse_profile(data: Any, where: str, *, default_name: str = "profile") -> Profile:
    if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
        raise UsageError(f"profile {where}: expected a mapping with a 'roles' mapping")
    unknown = [str(k) for k in data if k not in PROFILE_KEYS]
    if unknown:
        raise UsageError(f"profile {where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(PROFILE_KEYS)})")
    restartable = data.get("restartable")
    if restartable is not None and not isinstance(restartable, bool):
        raise UsageError(f"profile {where}: 'restartable' must be true or false, not {restartable!r}")
    bad_roles = [str(r) for r in data["roles"] if r not in ROLES]
    if bad_roles:
        raise UsageError(f"profile {where}: unknown role(s) {', '.join(bad_roles)} (known roles: {', '.join(ROLES)})")
    roles: dict[str, Role] = {}
    for role, body in data["roles"].items():
        if not isinstance(body, dict) or not isinstance(body.get("tool"), str) or not body["tool"]:
            raise UsageError(f"profile {where}: role {role!r} needs a 'tool' name")
        extra = [str(k) for k in body if k not in ROLE_KEYS]
        if extra:
            raise UsageError(f"profile {where}: role {role!r}: unknown key(s) {', '.join(extra)} "
                             f"(known: {', '.join(ROLE_KEYS)})")
        args = body.get("arguments") or {}
        if not isinstance(args, dict):
            raise UsageError(f"profile {where}: role {role!r}: 'arguments' must be a mapping")
        roles[str(role)] = Role(body["tool"], args)
    return Profile(name=str(data.get("name") or default_name), roles=roles, restartable=restartable,
                   origin=f"profile {where}")
