"""The end of every call: the checks over its history (the same `run_checks` as `faultline check`), their
verdicts printed (exit 1 on a FAIL), and `--repro OUT.json`: the call as a fault schedule that `faultline
replay` re-runs (harness/fuzz_io.py `write_repro`, with a profile file beside it naming the tool and its
arguments for the schedule's role)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.checks import run_checks
from harness.fuzz import FAILING, Failure, failing
from harness.fuzz_io import write_repro
from harness.history import Answer, Fault, History, Verdict
from harness.profiles import Profile, Role
from harness.runner import RunConfig, ScenarioResult
from harness.targets import UrlTarget
from scenarios.schedules import Schedule, Strike

SHOWN = ("PASS", "FAIL", "WARN", "ERROR")


def judge(history: History, say: Callable[[str], None]) -> list[Verdict]:
    """Run the checks, append and print their verdicts (NOT-APPLICABLE and NOT-OBSERVED are counted, not
    listed: neither is a pass)."""
    verdicts = run_checks(history)
    for v in verdicts:
        history.append(v)
    shown = [v for v in verdicts if v.status in SHOWN]
    say("checks:")
    for v in shown:
        say(f"  {v.status:<6} {v.check:<30} {v.requirement:<30} {v.message}"
            + (f"  witness {v.witness[:8]}" if v.status != "PASS" and v.witness else ""))
    rest = len(verdicts) - len(shown)
    counts = {s: sum(v.status == s for v in verdicts) for s in ("PASS", "FAIL", "WARN", "ERROR")}
    say("  " + ", ".join(f"{n} {s}" for s, n in counts.items()) + f", {rest} not applicable or not observed")
    return verdicts


def role_of(history: History) -> str:
    """The schedule role that replays this call: what the server asked of the client, else a long run."""
    methods = {a.method for a in history.of(Answer)}
    if "elicitation/create" in methods:
        return "elicitation"
    if "sampling/createMessage" in methods:
        return "sampling"
    return "long_running"


def strikes(history: History, events_before_cut: int | None) -> tuple[Strike, ...]:
    """What struck the call, as schedule strikes: the client's cut or kill (after k events), network down,
    latency."""
    out: list[Strike] = []
    if events_before_cut is not None:
        out.append(Strike("cut", k=max(0, events_before_cut)))
    faults = history.of(Fault)
    downs = [f for f in faults if f.action == "down"]
    if downs:
        ups = [f for f in faults if f.action == "up" and f.seq > downs[0].seq]
        ms = int(((ups[0].t if ups else history.now()) - downs[0].t) * 1000)
        out.append(Strike("down", ms=max(1, ms)))
    lat = [f for f in faults if f.action == "add" and (f.toxic or {}).get("type") == "latency"]
    if lat:
        out.append(Strike("latency", ms=int(((lat[0].toxic or {}).get("attributes") or {}).get("latency") or 0)))
    return tuple(out)


def save_repro(out: Path, history: History, verdicts: list[Verdict], *, upstream: str, revision: str,
               tool: str, arguments: dict[str, Any], events_before_cut: int | None, elicit: str) -> Path:
    """Write `out` (a repro file) and `out`.profile.json (the role it plays: this tool, these arguments)."""
    role = role_of(history)
    # the host came back after a while (a restart, a key), not at once: the replay waits the server's retry too
    schedule = Schedule(role=role, strikes=strikes(history, events_before_cut), resume_after_retry=True,
                        elicitation=elicit if elicit in ("accept", "decline", "cancel") else "accept")
    profile_path = out.with_name(out.stem + ".profile.json")
    profile_path.write_text(json.dumps({"name": "faultline-call", "roles": {role: {"tool": tool, "arguments":
                                                                                   arguments}}}, indent=1),
                            encoding="utf-8")
    profile = Profile(name=str(profile_path.resolve()), roles={role: Role(tool, arguments)})
    config = RunConfig(scenarios=[], revisions=(), profile=profile)
    result = ScenarioResult("call", revision, verdicts, history, 0.0)
    signature = failing(result)
    failure = Failure(revision, signature, schedule, result, 0.0, 1)
    written = write_repro(failure, UrlTarget(upstream), config, None, out.parent if str(out.parent) else Path("."))
    written.replace(out)
    return out


def any_fail(verdicts: list[Verdict]) -> bool:
    return any(v.status == "FAIL" for v in verdicts)


__all__ = ["FAILING", "any_fail", "judge", "save_repro"]
