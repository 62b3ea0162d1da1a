"""Discovery and the runner's preflight against a small third-party server (tests/harness/thirdparty_server.py)
and the reference agents: revisions detected, roles guessed and probed, side effects never risked unasked,
profiles checked against tools/list, a tool that answers "unknown tool" never a PASS."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
import yaml
from thirdparty_server import thirdparty_server

from harness.discovery.arguments import arguments_for
from harness.discovery.discover import discover
from harness.discovery.preflight import unknown_tool_answer
from harness.discovery.render import render
from harness.errors import UsageError
from harness.history import History, Request, Response
from harness.profiles import AUTO, REFERENCE, Profile, Role, parse_profile
from harness.revisions import ALL, Revision
from harness.runner import RunConfig, ScenarioResult, run_suite
from harness.targets import UrlTarget
from reference_agents.server import running_agents
from scenarios.api import all_scenarios, select

pytestmark = pytest.mark.anyio
TIMEOUT = 60


async def _run(url: str, profile: Profile, patterns: list[str], revisions: tuple[Revision, ...] = ALL,
               notices: list[str] | None = None) -> list[ScenarioResult]:
    config = RunConfig(scenarios=select(patterns), revisions=revisions, profile=profile, time_scale=0.5)
    lines = notices if notices is not None else []
    return await run_suite(UrlTarget(url), config, on_notice=lambda line, n: lines.append(line))


@pytest.mark.timeout(TIMEOUT)
async def test_discover_without_probe_calls_nothing_and_guesses_from_tools_list():
    async with thirdparty_server() as (url, calls):
        found = await discover(UrlTarget(url), History())
    assert sum(calls.values()) == 0, calls  # tools/list only
    assert all(lst.speaks for lst in found.listings.values())
    assert found.roles["progress"].tool == "tally" and not found.roles["progress"].verified
    assert found.roles["long_running"].arguments["n"] > found.roles["progress"].arguments["n"]
    assert found.roles["elicitation"].tool == "confirm"


@pytest.mark.timeout(TIMEOUT)
async def test_probe_calls_only_safe_tools_unless_allowed_and_never_a_skipped_one():
    async with thirdparty_server() as (url, calls):
        found = await discover(UrlTarget(url), History(), probe=True, skip=frozenset({"ghost"}))
        assert calls["bump"] == 0 and calls["ghost"] == 0, calls  # unannotated: may be destructive; skipped
        assert calls["tally"] == 1 and calls["confirm"] == 1, calls
        assert "may be destructive" in found.not_called["bump"] and found.not_called["ghost"] == "--skip"
        assert found.roles["progress"].verified and found.roles["progress"].tool == "tally"
        assert found.roles["elicitation"].verified and found.roles["elicitation"].tool == "confirm"
        tally = next(o for o in found.observations if o.tool == "tally")
        assert tally.progress == tally.arguments["n"] and tally.outcome == "result"
        again = await discover(UrlTarget(url), History(), probe=True, allow_side_effects=True,
                               skip=frozenset({"ghost"}))
        assert calls["bump"] == 1 and calls["ghost"] == 0, calls
        assert "bump" not in again.not_called
        with pytest.raises(UsageError, match="no such tool"):
            await discover(UrlTarget(url), History(), probe=True, skip=frozenset({"gohst"}))
    text = render(found, all_scenarios())
    profile = parse_profile(yaml.safe_load(text), "discovered")
    assert profile.role("progress") == Role("tally", found.roles["progress"].arguments)
    assert profile.restartable is False and "# Not filled" in text and "bump" in text


@pytest.mark.timeout(TIMEOUT)
async def test_a_revision_the_server_does_not_speak_is_one_not_applicable_line_without_warn():
    notices: list[str] = []
    async with thirdparty_server(legacy_only=True) as (url, _):
        profile = Profile("tp", {"progress": Role("tally", {"n": 3})})
        results = await _run(url, profile, ["resume-after-result", "progress-latency-slicer"],
                             (Revision.R2026,), notices)
    assert [r.status for r in results] == ["NOT-APPLICABLE"] * 2
    assert all(r.quiet and "does not speak 2026-07-28" in r.reason for r in results)
    assert not [v for r in results for v in r.verdicts if v.status == "WARN"]
    assert len(notices) == 1 and "HTTP 400" in notices[0], notices


@pytest.mark.timeout(TIMEOUT)
async def test_a_profile_tool_not_in_tools_list_or_an_unknown_role_is_a_usage_error():
    async with thirdparty_server() as (url, calls):
        with pytest.raises(UsageError, match=r"tools/list has no 'talley' \(progress\).*its tools: bump, confirm"):
            await _run(url, Profile("typo", {"progress": Role("talley", {})}), ["resume-after-result"])
        with pytest.raises(UsageError, match="tools/list has no 'long_running_agent'"):
            await _run(url, REFERENCE, ["resume-after-result"])
    assert sum(calls.values()) == 0
    with pytest.raises(UsageError, match="unknown role.*progres.*known roles: progress, long_running"):
        parse_profile({"roles": {"progres": {"tool": "x"}}}, "p.yaml")
    with pytest.raises(UsageError, match="unknown key.*restartible"):
        parse_profile({"roles": {}, "restartible": True}, "p.yaml")
    with pytest.raises(UsageError, match="role 'progress': unknown key.*args"):
        parse_profile({"roles": {"progress": {"tool": "x", "args": {}}}}, "p.yaml")


@pytest.mark.timeout(TIMEOUT)
async def test_a_role_tool_answering_unknown_tool_makes_its_scenarios_error_never_pass():
    async with thirdparty_server() as (url, calls):
        results = await _run(url, Profile("ghostly", {"progress": Role("ghost", {})}), ["resume-after-result"],
                             (Revision.R2025,))
    assert calls["ghost"] >= 1
    [r] = results
    assert r.status == "ERROR" and [v.status for v in r.verdicts] == ["ERROR"], r.verdicts
    assert "'ghost' answered as if it did not exist: Unknown tool: ghost" in r.reason


@pytest.mark.timeout(TIMEOUT)
async def test_no_profile_discovers_roles_from_tools_list_and_says_which_it_filled():
    notices: list[str] = []
    async with thirdparty_server() as (url, calls):
        results = await _run(url, AUTO, ["stream-isolation", "sampling-success"], (Revision.R2025,), notices)
    by = {r.scenario: r for r in results}
    iso = {v.requirement: v.status for v in by["stream-isolation"].verdicts
           if not v.check.startswith("standalone-")}  # (those judge the GET stream's resumes: none here)
    assert iso["http.resume.per-stream"] == "PASS" and "ERROR" not in iso.values(), iso
    assert calls["tally"] >= 2 and calls["bump"] == 0
    assert by["sampling-success"].status == "NOT-APPLICABLE" and "'auto' has no role sampling" in \
        by["sampling-success"].reason
    assert "progress → tally" in notices[0] and "no tool for sampling" in notices[1] and "sampling-success" in notices[1]


@pytest.mark.timeout(TIMEOUT)
async def test_no_profile_on_the_reference_agents_is_the_reference_profile_and_restartable_false_is_honoured():
    notices: list[str] = []
    async with running_agents() as url:
        [r] = await _run(url, AUTO, ["resume-after-result"], (Revision.R2025,), notices)
        assert r.status == "PASS" and "profile: reference" in notices[0]
        [r] = await _run(url, dataclasses.replace(REFERENCE, restartable=False), ["server-restart"],
                         (Revision.R2025,))
    assert r.status == "NOT-APPLICABLE" and "says restartable: false" in r.reason, r.reason


@pytest.mark.timeout(TIMEOUT)
async def test_probe_of_the_reference_agents_fills_every_role_it_can_verify():
    async with running_agents(retry_ms=50) as url:
        found = await discover(UrlTarget(url), History(), probe=True, allow_side_effects=True, timeout=20)
    roles = {r: (p.tool, p.verified) for r, p in found.roles.items()}
    assert roles["progress"] == ("long_running_agent", True)
    assert roles["elicitation"] == ("travel_agent", True) and roles["resource"] == ("travel_agent", True)
    assert roles["sampling"] == ("research_agent", True)
    assert roles["server_close"] == ("long_running_agent", True)
    assert found.roles["server_close"].arguments.get("close_stream_after") == 2
    assert roles["task"] == ("long_running_agent", True) and roles["task_input"] == ("travel_agent", True)
    assert "effect" not in roles  # job_runs_completed shows only with a job name: no argument guess gives one


EVERYTHING_LONG = {"name": "trigger-long-running-operation", "description": "A long running operation with progress.",
                   "inputSchema": {"type": "object", "properties": {
                       "duration": {"type": "number", "default": 10}, "steps": {"type": "number", "default": 5}}}}


def test_arguments_come_from_the_schema_with_the_role_knobs_turned():
    assert arguments_for(EVERYTHING_LONG) == {"duration": 1, "steps": 5}
    assert arguments_for(EVERYTHING_LONG, longer=True) == {"duration": 2, "steps": 10}
    tool = {"inputSchema": {"properties": {
        "topic": {"type": "string"}, "where": {"type": "string", "format": "uri"}, "kind": {"enum": ["a", "b"]},
        "n": {"type": "integer", "default": 100, "maximum": 7}, "delay_ms": {"type": "integer", "default": 500},
        "ambiguous": {"type": "boolean", "description": "triggers input_required"}, "close_after": {"type": "integer"},
        "extra": {"type": "string", "default": "left alone"}},
        "required": ["topic", "where", "kind"]}}
    assert arguments_for(tool) == {"topic": "faultline", "where": "https://example.invalid/faultline", "kind": "a",
                                   "n": 5, "delay_ms": 100}
    assert arguments_for(tool, longer=True)["n"] == 7  # doubled, clamped to the maximum
    assert arguments_for(tool, ask=True)["ambiguous"] is True and arguments_for(tool, close_after=True)["close_after"] == 2


def test_unknown_tool_answers_are_recognised_unless_the_client_declared_less_on_purpose():
    def history(text: str, caps: dict[str, object]) -> History:
        h = History()
        h.append(Request(x=0, client="A", method="POST", url="u", purpose="initialize",
                         body={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": caps}}))
        h.append(Request(x=1, client="A", method="POST", url="u", purpose="call",
                         body={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t"}}))
        h.append(Response(x=1, status=200, content_type="application/json", body={
            "jsonrpc": "2.0", "id": 2, "result": {"isError": True, "content": [{"type": "text", "text": text}]}}))
        return h

    default = {"elicitation": {"form": {}}, "sampling": {}}
    assert "did not exist" in str(unknown_tool_answer(history("MCP error -32602: Tool t not found", default), {"t"}))
    assert unknown_tool_answer(history("Unknown tool: 't'", default), {"other"}) is None
    assert unknown_tool_answer(history("Unknown tool: 't'", {}), {"t"}) is None  # elicitation-undeclared's client
    assert unknown_tool_answer(history("Tool t requires task augmentation", default), {"t"}) is None
    assert unknown_tool_answer(history("Tool error: booking not found", default), {"t"}) is None


@pytest.mark.timeout(TIMEOUT)
def test_a_profile_naming_a_missing_tool_exits_2_in_one_line_and_stops_the_spawned_server(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("roles:\n  progress: {tool: no_such_tool}\n")
    pidfile = tmp_path / "pid"
    spawn = f"sh -c 'echo $$ > {pidfile}; exec {sys.executable} -m harness agents --port 0'"
    done = subprocess.run([sys.executable, "-m", "harness", "run", "--spawn", spawn, "--profile", str(profile),
                           "-k", "resume-after-result", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().count("\n") == 0 and "tools/list has no 'no_such_tool' (progress)" in done.stderr
    assert "long_running_agent" in done.stderr  # it names the server's tools
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
