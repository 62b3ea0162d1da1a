"""checks.json in the suite's real format (0.1.16), scenario verdicts, and the expected-failures file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError, UsageError
from harness.official.results import read_results, scenario_of, scenario_verdicts
from harness.official.suite import ANSI, SuiteRun, load_expected, unexpected_failures

REF = [{"id": "MCP-Tools", "url": "https://modelcontextprotocol.io/specification/2025-11-25/server/tools"}]


def check(id: str, status: str, **extra: Any) -> dict[str, Any]:
    base = {"id": id, "name": id.title(), "description": f"{id} check", "status": status,
            "timestamp": "2026-11-24T23:35:04.012Z", "specReferences": REF, "details": {"result": {}}}
    return {**base, **extra}


def write(out: Path, scenario: str, checks: list[dict[str, Any]], stamp: str = "2026-11-24T23-35-04-010Z") -> None:
    d = out / f"server-{scenario}-{stamp}"
    d.mkdir(parents=True)
    (d / "checks.json").write_text(json.dumps(checks, indent=2), encoding="utf-8")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    write(tmp_path, "tools-list", [check("tools-list", "SUCCESS")])
    write(tmp_path, "tools-call-with-progress", [check("tools-call-with-progress", "FAILURE",
                                                       errorMessage="Expected at least 3 progress notifications, got 1")])
    write(tmp_path, "server-sse-polling", [
        {"id": "incoming-sse-event", "name": "IncomingSseEvent", "description": "event", "status": "INFO",
         "timestamp": "2026-11-24T23:35:04.100Z", "details": {"data": ""}},
        {"id": "incoming-sse-event", "name": "IncomingSseEvent", "description": "event", "status": "INFO",
         "timestamp": "2026-11-24T23:35:04.200Z"},
        check("server-sse-priming-event", "WARNING")])
    write(tmp_path, "server-sse-multiple-streams", [
        check("server-accepts-multiple-post-streams", "SUCCESS"), check("server-sse-streams-functional", "INFO")])
    write(tmp_path, "ping", [check("ping", "INFO")])
    return tmp_path


def test_scenario_names_from_folders() -> None:
    assert scenario_of("server-tools-list-2026-11-24T23-35-04-010Z") == "tools-list"
    assert scenario_of("server-server-sse-polling-2026-01-02T03-04-05-006Z") == "server-sse-polling"
    with pytest.raises(HarnessError):
        scenario_of("client-tools-list")


def test_read_results_types_every_row(results: Path) -> None:
    rows = read_results(results)
    assert len(rows) == 8
    progress = next(r for r in rows if r.scenario == "tools-call-with-progress")
    assert progress.status == "FAILURE" and progress.error == "Expected at least 3 progress notifications, got 1"
    assert progress.spec_refs == ("MCP-Tools",)
    info = [r for r in rows if r.id == "incoming-sse-event"]
    assert len(info) == 2 and all(r.spec_refs == () and r.error is None for r in info)


def test_scenario_verdicts(results: Path) -> None:
    assert scenario_verdicts(read_results(results)) == {
        "ping": "N/A", "server-sse-multiple-streams": "PASS", "server-sse-polling": "WARN",
        "tools-call-with-progress": "FAIL", "tools-list": "PASS"}


def test_bad_results_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="no server-"):
        read_results(tmp_path)
    write(tmp_path, "ping", [{"id": "ping", "status": "MAYBE"}])
    with pytest.raises(HarnessError, match="known status"):
        read_results(tmp_path)


def test_expected_failures_need_reasons(tmp_path: Path, results: Path) -> None:
    f = tmp_path / "expected.yml"
    f.write_text("server:\n  - scenario: tools-call-with-progress\n    reason: the spec says MAY\n")
    expected = load_expected(f)
    assert expected == {"tools-call-with-progress": "the spec says MAY"}
    assert unexpected_failures(read_results(results), expected) == []
    assert unexpected_failures(read_results(results), {}) == ["tools-call-with-progress"]
    f.write_text("server:\n  - scenario: ping\n")
    with pytest.raises(UsageError, match="reason"):
        load_expected(f)
    f.write_text("server:\n  - ping\n")
    with pytest.raises(UsageError, match="reason"):
        load_expected(f)


def test_committed_expected_failures_file_is_valid() -> None:
    load_expected(Path(__file__).parents[2] / "official-expected-failures.yml")


def test_summary_lines_without_colours(tmp_path: Path) -> None:
    raw = ("Running active suite (2 scenarios) against http://127.0.0.1:1/mcp\n=== Running scenario: ping ===\n"
           "\x1b[1m=== SUMMARY ===\x1b[0m\n\x1b[32m✓\x1b[0m ping: 1 passed, 0 failed\n\nTotal: 1 passed, 0 failed\n")
    run = SuiteRun(0, ANSI.sub("", raw), tmp_path, [])
    assert run.summary() == ["=== SUMMARY ===", "✓ ping: 1 passed, 0 failed", "Total: 1 passed, 0 failed"]
