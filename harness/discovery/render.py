"""The commented profile YAML `faultline discover` writes (and `faultline run --profile` loads)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import yaml

from harness.discovery.arguments import mapping
from harness.discovery.listing import Listing
from harness.discovery.probe import Observation, is_safe
from harness.discovery.roles import Proposal, task_support
from scenarios.api import LONG, ROLES, Scenario

RESTARTABLE_NOTE = ("true only if the server keeps its state (results, tasks, event store) across a kill and "
                    "restart of its process; then run it with --spawn for the restart scenarios")


@dataclass
class Discovery:
    """Everything `faultline discover` found, ready to be written as a profile."""

    target: str
    listings: dict[Any, Listing]
    roles: dict[str, Proposal]
    observations: list[Observation] = field(default_factory=list)
    not_called: dict[str, str] = field(default_factory=dict)  # tool -> why it was not called
    probed_at: str = ""  # the revision the probe calls used ('' without --probe)


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False).strip()


def _name(listings: dict[Any, Listing]) -> str:
    server = next((lst.server for lst in listings.values() if lst.server), {})
    name = str(server.get("name") or "server")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "server"


def _annotations(tool: dict[str, Any]) -> str:
    ann = mapping(tool, "annotations")
    hints = [k for k in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint") if k in ann]
    shown = ", ".join(f"{k} {str(ann[k]).lower()}" for k in hints) or "no annotations (may be destructive)"
    return f"{shown}; taskSupport {task_support(tool)}"


def _tool_lines(name: str, tool: dict[str, Any], revisions: list[str], d: Discovery) -> list[str]:
    about = " ".join(str(tool.get("description") or tool.get("title") or "").split())
    schema = mapping(tool, "inputSchema")
    lines = [f"#   {name}  [{', '.join(revisions)}]  {_annotations(tool)}"]
    if about:
        lines.append(f"#     {about[:300]}")
    shown = {k: v for k, v in schema.items() if k in ("properties", "required")}
    lines.append(f"#     inputSchema: {json.dumps(shown, ensure_ascii=False)[:600]}")
    if mapping(tool, "outputSchema"):
        lines.append(f"#     outputSchema: {json.dumps(mapping(mapping(tool, 'outputSchema'), 'properties'))[:300]}")
    for o in d.observations:
        if o.tool == name:
            lines.append(f"#     called ({o.variant}, {o.revision}) with {json.dumps(o.arguments)}: {o.summary()}")
    if name in d.not_called:
        lines.append(f"#     not called: {d.not_called[name]}")
    return lines


def _role_lines(role: str, p: Proposal) -> list[str]:
    state = ("verified by its call" if p.verified else "derived" if role == LONG
             else "guessed from tools/list, not called")
    entry = _dump({role: {"tool": p.tool, "arguments": p.arguments}})[1:-1]
    return [f"  # {role}: {ROLES[role]}", f"  #   {state}: {p.why}", f"  {entry}"]


def render(d: Discovery, scenarios: list[Scenario]) -> str:
    """The profile YAML: the tool listing and the evidence as comments, then name, restartable and roles."""
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    out = [f"# Faultline target profile, written by `faultline discover` ({stamp}) for {d.target}",
           "# Load it with: faultline run --target URL --profile THIS_FILE. Edit freely: every role maps to a tool",
           "# and its arguments; the comments say what each role needs and what discovery saw.", "#"]
    for lst in d.listings.values():
        state = "speaks" if lst.speaks else "does NOT speak"
        out.append(f"# {lst.revision.value}: {state} ({lst.reason}){'; ' + lst.list_error if lst.list_error else ''}")
    server = next((lst.server for lst in d.listings.values() if lst.server), {})
    if server:
        out.append(f"# serverInfo: {json.dumps(server, ensure_ascii=False)}")
    out.append(f"# probe: each candidate called once at {d.probed_at}, in a session of its own" if d.probed_at
               else "# no tool was called (give --probe to call each candidate once and verify the roles)")
    out += ["#", "# Tools listed to a client declaring what the scenarios' client declares (elicitation form, "
            "sampling):"]
    seen: dict[str, tuple[dict[str, Any], list[str]]] = {}
    gated: dict[str, list[str]] = {}
    for lst in d.listings.values():
        for name, tool in lst.tools.items():
            seen.setdefault(name, (tool, []))[1].append(lst.revision.value)
        for name in lst.gated:
            gated.setdefault(name, []).append(lst.revision.value)
    for name, (tool, revs) in seen.items():
        out += _tool_lines(name, tool, revs, d)
    if gated:
        out.append("# Listed only to a client declaring every capability (url elicitation, roots, tasks requests):")
        out.append("# the scenarios' client does not see them, so they play no role: " + ", ".join(gated))
    out += ["", _dump({"name": _name(d.listings)})[1:-1], f"restartable: false  # {RESTARTABLE_NOTE}", "roles:"]
    for role in ROLES:
        if role in d.roles:
            out += _role_lines(role, d.roles[role])
    missing = [r for r in ROLES if r not in d.roles]
    if missing:
        out.append("# Not filled (no tool showed it); the scenarios that need them are NOT-APPLICABLE:")
        for role in missing:
            needs = [s.name for s in scenarios if role in s.roles]
            out.append(f"#   {role}: {ROLES[role]}")
            out.append(f"#     → {', '.join(needs) or 'no scenario'}")
        out.append("#   To fill one, add e.g.  " + _dump({missing[0]: {"tool": "TOOL", "arguments": {}}})[1:-1])
    return "\n".join(out) + "\n"


def not_called_reason(tool: dict[str, Any], name: str, *, skip: set[str], allow_side_effects: bool) -> str:
    """Why the probe must not call this tool ('' if it may)."""
    if name in skip:
        return "--skip"
    if not allow_side_effects and not is_safe(tool):
        return ("not annotated readOnlyHint true or destructiveHint false, so it may be destructive (the spec's "
                "defaults); give --allow-side-effects to call it")
    return ""
