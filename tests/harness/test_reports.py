"""The reports tell one truth: a scenario is PASS only if a check it targets passed; the JSON report is
an object that validates against docs/report.schema.json; terminal, JSON, JUnit and HTML state the same
counts on one run; a run in which nothing applied exits non-zero; the HTML page leads with the failure,
links its witness to the timeline, draws no picture for what did not run and stays small."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from report_support import (
    FIXTURES,
    fixture_results,
    html_counts,
    junit_totals,
    load_report,
    result_of,
    terminal_totals,
    validate,
)

from harness.history import History, Verdict
from harness.report.html import render
from harness.report.status import STATUSES, scenario_status
from harness.report.summary import tally
from harness.report.verdicts import RunInfo, document
from harness.runner import ScenarioResult

AGENTS = f"{sys.executable} -m harness agents --port 0 --step-delay 0 --retry-ms 50"
INFO = RunInfo(target="url http://127.0.0.1:1/mcp", profile="reference", revisions=("2025-11-25", "2026-07-28"),
               started_at=1_800_000_000.0, finished_at=1_800_000_012.5)


def faultline(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout)


def v(requirement: str, status: str, check: str = "") -> Verdict:
    return Verdict(scenario="s", check=check or requirement, requirement=requirement, revision="2025-11-25",
                   level="MUST", status=status)  # type: ignore[arg-type]


@pytest.mark.parametrize(("verdicts", "status"), [
    ([v("target", "NOT-OBSERVED"), v("side", "PASS")], "NOT-OBSERVED"),  # the case: PASS before
    ([v("target", "PASS"), v("other-target", "NOT-OBSERVED")], "PASS"),
    ([v("target", "NOT-OBSERVED"), v("side", "FAIL")], "FAIL"),  # a finding anywhere is a finding
    ([v("target", "PASS"), v("side", "WARN"), v("x", "ERROR")], "ERROR"),
    ([v("harness.scenario", "NOT-APPLICABLE", "scenario:s")], "NOT-APPLICABLE"),
    ([v("side", "PASS")], "NOT-OBSERVED"),  # the targeted check left no verdict at all
])
def test_a_scenario_passes_only_when_a_check_it_targets_passed(verdicts, status):
    assert scenario_status(verdicts, ("target", "other-target")) == status
    r = ScenarioResult("s", "2025-11-25", verdicts, History(), 0.1, exercises=("target", "other-target"))
    assert r.status == status


def test_a_scenario_that_targets_nothing_passes_on_any_pass():
    assert scenario_status([v("side", "PASS")], ()) == "PASS"


def test_the_json_report_is_an_object_that_validates_and_counts_what_it_lists(tmp_path):
    results = fixture_results(tmp_path)
    doc = document(results, INFO)
    validate(doc)
    s = doc["summary"]
    assert (doc["tool"]["name"], doc["target"], doc["profile"], doc["revisions"], doc["seconds"]) == \
        ("faultline", INFO.target, "reference", ["2025-11-25", "2026-07-28"], 12.5)
    assert doc["started_at"] == "2027-01-15T08:00:00Z"
    assert s["verdicts"]["total"] == len(doc["verdicts"])
    for status in STATUSES:
        assert s["verdicts"][status] == sum(1 for r in doc["verdicts"] if r["status"] == status)
        assert s["verdicts"][status] == sum(c[status] for c in s["per_requirement"].values())
        assert s["scenarios"][status] == sum(1 for p in s["per_scenario"] if p["status"] == status)
    assert s["scenarios"]["total"] == len(results) == len(s["per_scenario"])
    assert s["omitted_not_observed"] == sum(len(r.verdicts) for r in results) - len(doc["verdicts"]) > 0
    assert s["omitted_not_observed"] == sum(c["omitted_not_observed"] for c in s["per_requirement"].values())
    assert all(r["status"] != "NOT-OBSERVED" or r["targeted"] for r in doc["verdicts"])
    fail = next(r for r in doc["verdicts"] if r["status"] == "FAIL")
    assert fail["targeted"] and fail["requirement"] == "http.origin.reject-403"
    assert [w["seq"] for w in fail["witness"]] == fail["witness_seqs"] and fail["witness_seqs"]
    assert {r["targeted"] for r in doc["verdicts"]} == {True, False}


def test_the_schema_refuses_what_the_report_must_not_be(tmp_path):
    doc = document(fixture_results(tmp_path)[-3:], INFO)
    for broken in ([], {**doc, "summary": {**doc["summary"], "verdicts": {"total": 1}}},
                   {**doc, "verdicts": [{**doc["verdicts"][0], "targeted": "yes"}]},
                   {**doc, "verdicts": [{**doc["verdicts"][0], "status": "OK"}]}):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def test_the_html_page_leads_with_the_failure_and_stays_small(tmp_path):
    results = fixture_results(tmp_path)
    assert results[-1].status == "FAIL" and results[0].status != "FAIL"
    page = render(results, INFO, base=tmp_path)
    assert "data:" not in page  # no history inlined
    assert len(page.encode()) < 1_000_000 / 96 * len(results), len(page)  # at most 1 MB for the full suite
    first_block = re.search(r'class="scenario[^"]*"[^>]*data-status="([A-Z-]+)"', page)
    assert first_block and first_block.group(1) == "FAIL"
    assert page.index('id="totals"') < page.index('id="failures"') < page.index("origin-403@2025-11-25")
    failure = page[page.index('class="scenario finding'):page.index("</section>")]
    links = re.findall(r'href="#(r\d+-\d+)"', failure)
    assert links and all(f'id="{target}"' in failure for target in links)  # each witness seq: its timeline record
    rings = re.findall(r'<circle class="witness" cx="([\d.]+)"', failure)
    assert len(rings) == len(set(links))
    assert all(float(cx) < 1100 - 40 for cx in rings)  # drawn where it happened, not stacked at the right edge
    assert re.search(r'class="grid".*?class="tick"[^>]*>0 ms<', failure)  # a time axis
    passes = [m.start() for m in re.finditer(r'<details class="scenario"[^>]*data-status="PASS"', page)]
    assert len(passes) == sum(1 for r in results if r.status == "PASS")
    assert 'href="histories/' in page  # histories linked, relative to the page


def test_a_scenario_that_did_not_run_gets_no_picture():
    na = ScenarioResult("session-delete-404", "2026-07-28",
                        [v("harness.scenario", "NOT-APPLICABLE", "scenario:session-delete-404")], History(), 0.0,
                        "scenario applies to 2025-11-25 only")
    page = render([na], INFO)
    assert "<svg xmlns" not in page and "scenario applies to 2025-11-25 only" in page
    assert html_counts(page)["verdict_rows"]["NOT-APPLICABLE"] == 1


def test_terminal_json_junit_and_html_agree_on_one_run(tmp_path):
    run = faultline("demo", "-k", "origin-403", "--mutant", "no-origin-check", "--out", str(tmp_path))
    assert run.returncode == 1, run.stdout + run.stderr
    doc = load_report(tmp_path / "verdicts.json")
    s = doc["summary"]
    scenarios, verdicts, omitted = terminal_totals(run.stdout)
    assert scenarios == {k: s["scenarios"][k] for k in STATUSES}
    assert verdicts == {k: s["verdicts"][k] for k in STATUSES}
    assert omitted == s["omitted_not_observed"] > 0
    assert s["verdicts"]["FAIL"] == 2 and s["scenarios"]["FAIL"] == 2
    junit = junit_totals(tmp_path / "junit.xml")
    assert junit == {"tests": s["verdicts"]["total"], "failures": s["verdicts"]["FAIL"] + s["verdicts"]["WARN"],
                     "errors": s["verdicts"]["ERROR"],
                     "skipped": s["verdicts"]["NOT-APPLICABLE"] + s["verdicts"]["NOT-OBSERVED"]}
    html = html_counts((tmp_path / "report.html").read_text(encoding="utf-8"))
    for key in ("scenarios", "verdicts"):
        assert html[key] == {k: s[key][k] for k in STATUSES}, key
    assert html["scenario_blocks"] == html["scenarios"] and html["verdict_rows"] == html["verdicts"]
    table_rows = [line for line in run.stdout.splitlines() if line.startswith("origin-403@")]
    for line, per in zip(table_rows, s["per_scenario"], strict=True):
        cols = line.split()
        assert cols[1] == per["status"]
        assert [int(c) for c in cols[2:8]] == [per["verdicts"][k] for k in
                                               ("PASS", "FAIL", "WARN", "ERROR", "NOT-APPLICABLE", "NOT-OBSERVED")]


def test_a_run_in_which_nothing_applied_exits_1_unless_allowed(tmp_path):
    args = ["run", "--spawn", AGENTS, "-k", "session-delete-404", "--revision", "2026-07-28", "--out", str(tmp_path),
            "--json", str(tmp_path / "v.json")]
    empty = faultline(*args)
    assert empty.returncode == 1, empty.stdout + empty.stderr
    assert "nothing applied: all 1 scenario run(s) were NOT-APPLICABLE or NOT-OBSERVED" in empty.stdout
    assert load_report(tmp_path / "v.json")["summary"]["scenarios"]["NOT-APPLICABLE"] == 1
    allowed = faultline(*args, "--allow-empty")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "--allow-empty: exit 0" in allowed.stdout


def test_every_recorded_fixture_history_makes_a_valid_report(tmp_path):
    paths = sorted(FIXTURES.glob("*/*.jsonl"))
    results = [result_of(p) for p in paths]
    doc = document(results, INFO)
    validate(doc)
    assert tally(results).runs == len(paths)
    assert junit_totals(_junit(results, tmp_path))["tests"] == doc["summary"]["verdicts"]["total"]


def _junit(results: list[ScenarioResult], tmp: Path) -> Path:
    from harness.report.junit import write_junit

    return write_junit(results, tmp / "j.xml")
