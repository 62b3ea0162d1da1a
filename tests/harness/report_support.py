"""Helpers of the report tests: the JSON report's schema check, the counts each output states, and
scenario results built offline from the recorded fixture histories (no server)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema

from harness.checks import run_checks
from harness.history import History, Verdict
from harness.report.status import STATUSES
from harness.runner import ScenarioResult
from scenarios.api import all_scenarios

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
FIXTURES = ROOT / "tests" / "fixtures" / "histories"


def validate(doc: Any) -> None:
    """The JSON report against docs/report.schema.json (raises jsonschema.ValidationError)."""
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(doc)


def load_report(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    validate(doc)
    return doc


def result_of(path: Path, saved: Path | None = None) -> ScenarioResult:
    """A ScenarioResult from a recorded history: its recorded verdicts (or, for a history saved without them,
    today's checks over it, as the runner keeps them), its scenario's targets."""
    history = History.load(path)
    meta = history.meta
    assert meta is not None
    targets = {s.name: s.checks for s in all_scenarios()}
    verdicts = [r for r in history if isinstance(r, Verdict)] or \
        [v for v in run_checks(history, scenario=meta.scenario) if v.status != "NOT-APPLICABLE"]
    wall = max((r.t for r in history), default=0.0)
    return ScenarioResult(meta.scenario, meta.revision, verdicts, history, wall,
                          exercises=targets.get(meta.scenario, ()), history_path=saved)


def fixture_results(tmp: Path, bad: str = "no-origin-check@origin-403@2025-11-25.jsonl") -> list[ScenarioResult]:
    """Every good fixture history, then one bad one (a FAIL) last: the order a run would print them in if
    the failing scenario came late. Histories are copied under tmp/histories, as a run saves them."""
    out = []
    for path in [*sorted((FIXTURES / "good").glob("*.jsonl")), FIXTURES / "bad" / bad]:
        saved = tmp / "histories" / path.name
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(path.read_bytes())
        out.append(result_of(path, saved))
    return out


def terminal_totals(stdout: str) -> tuple[dict[str, int], dict[str, int], int]:
    """(scenario runs per status, verdicts per status, omitted) from the terminal's totals line, the last line."""
    last = stdout.strip().splitlines()[-1] if "nothing applied" not in stdout else \
        next(line for line in stdout.splitlines() if line.startswith("totals:"))
    m = re.fullmatch(r"totals: ([\d,]+) scenario runs? \((.*?)\); ([\d,]+) verdicts? \((.*?)\)(?:; ([\d,]+) NOT-OBSERVED.*)?",
                     last)
    assert m, f"no totals line at the end: {last!r}"

    def parse(part: str) -> dict[str, int]:
        found = dict.fromkeys(STATUSES, 0)
        for item in ([] if part == "none" else part.split(", ")):
            n, status = item.split(" ", 1)
            found[status] = int(n.replace(",", ""))
        return found

    scenarios, verdicts = parse(m.group(2)), parse(m.group(4))
    assert sum(scenarios.values()) == int(m.group(1).replace(",", ""))
    assert sum(verdicts.values()) == int(m.group(3).replace(",", ""))
    return scenarios, verdicts, int((m.group(5) or "0").replace(",", ""))


def junit_totals(path: Path) -> dict[str, int]:
    root = ET.parse(path).getroot()
    cases = root.findall(".//testcase")
    counted = {"tests": len(cases), "failures": sum(1 for c in cases if c.find("failure") is not None),
               "errors": sum(1 for c in cases if c.find("error") is not None),
               "skipped": sum(1 for c in cases if c.find("skipped") is not None)}
    assert counted == {k: int(root.get(k, "-1")) for k in counted}, "the root's totals are not its testcases'"
    return counted


def html_counts(page: str) -> dict[str, dict[str, int]]:
    """What the HTML page states (its totals chips) and what it draws (scenario blocks, verdict rows)."""
    def chips(what: str) -> dict[str, int]:
        found = dict.fromkeys(STATUSES, 0)
        for status, n in re.findall(rf'data-{what}="([A-Z-]+)" data-count="(\d+)"', page):
            found[status] = int(n)
        return found

    def drawn(pattern: str) -> dict[str, int]:
        found = dict.fromkeys(STATUSES, 0)
        for status in re.findall(pattern, page):
            found[status] += 1
        return found

    return {"scenarios": chips("scenarios"), "verdicts": chips("verdicts"),
            "scenario_blocks": drawn(r'class="scenario[^"]*"[^>]*data-status="([A-Z-]+)"'),
            "verdict_rows": drawn(r'class="v[ "][^>]*data-status="([A-Z-]+)"')}
