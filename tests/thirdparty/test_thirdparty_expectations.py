"""The corpus comparator on hand-made verdict lists, and the expectations files it reads (no network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import UsageError
from harness.thirdparty.expectations import Entry, Expectations, Known, Row, compare, load_expectations
from harness.thirdparty.servers import SERVERS

R25, R26 = "2025-11-25", "2026-07-28"
KNOWN = Known(requirements=frozenset({"http.origin.reject-403", "http.post.response-terminates",
                                      "harness.outcome.determinate", "http.resume.no-gaps", "harness.scenario"}),
              checks={"origin-403": "http.origin.reject-403", "response-terminates": "http.post.response-terminates",
                      "call-determinate": "harness.outcome.determinate", "replay-no-gap": "http.resume.no-gaps"},
              scenarios=frozenset({"origin-403", "resume-each-boundary", "resume-mid-event", "network-down-up"}))


def row(scenario: str, check: str, requirement: str, status: str, revision: str = R25) -> Row:
    return Row(scenario, revision, check, requirement, status, message=f"{check} said {status}")


def origin_bug() -> Entry:
    return Entry("http.origin.reject-403", "no Origin check", ("origin-403@2025-11-25",))


def expectations(*, known: tuple[Entry, ...] = (), warnings: tuple[Entry, ...] = (), errors: tuple[Entry, ...] = (),
                 revisions: tuple[str, ...] = (R25,)) -> Expectations:
    return Expectations("srv", revisions, known, warnings, errors)


def clean_run() -> list[Row]:
    return [
        row("origin-403", "origin-403", "http.origin.reject-403", "FAIL"),
        row("resume-mid-event", "response-terminates", "http.post.response-terminates", "WARN"),
        row("resume-mid-event", "replay-no-gap", "http.resume.no-gaps", "PASS"),
        row("resume-mid-event", "replay-no-gap", "http.resume.no-gaps", "NOT-OBSERVED"),
        row("origin-403", "scenario:origin-403", "harness.scenario", "NOT-APPLICABLE", R26),
    ]


def test_known_bug_failed_and_allowed_warn_is_clean() -> None:
    exp = expectations(known=(origin_bug(),),
                       warnings=(Entry("http.post.response-terminates", "held open", ("resume-*",)),))
    c = compare(clean_run(), exp)
    assert c.clean
    assert [r.scenario for r, _ in c.expected_fails] == ["origin-403"]
    assert [e.reason for _, e in c.justified_warns] == ["held open"]
    assert not (c.unexpected_fails or c.unjustified_warns or c.missing or c.off_revision)


def test_any_other_fail_makes_the_run_unclean() -> None:
    rows = clean_run() + [row("resume-each-boundary", "replay-no-gap", "http.resume.no-gaps", "FAIL")]
    c = compare(rows, expectations(known=(origin_bug(),),
                                   warnings=(Entry("http.post.response-terminates", "held open"),)))
    assert not c.clean
    assert [r.label for r in c.unexpected_fails] == [
        "FAIL resume-each-boundary@2025-11-25 replay-no-gap [http.resume.no-gaps]"]


def test_a_known_bug_not_failed_is_missing() -> None:
    rows = [row("origin-403", "origin-403", "http.origin.reject-403", "PASS")]
    c = compare(rows, expectations(known=(origin_bug(),)))
    assert c.missing == [origin_bug()]
    assert not c.clean


def test_an_intermittent_known_bug_may_fail_and_need_not() -> None:
    race = Entry("http.resume.no-gaps", "a progress stored in the replay window is lost", (), None,
                 "a race: only when a progress lands between the replay and the live tail")
    exp = expectations(known=(origin_bug(), race))
    quiet = [row("origin-403", "origin-403", "http.origin.reject-403", "FAIL")]
    assert compare(quiet, exp).clean and compare(quiet, exp).missing == []
    hit = compare(quiet + [row("resume-each-boundary", "replay-no-gap", "http.resume.no-gaps", "FAIL")], exp)
    assert hit.clean and [e for _, e in hit.expected_fails] == [origin_bug(), race]
    assert compare([], exp).missing == [origin_bug()]  # the other, not intermittent, is still required


def test_a_known_bug_failed_at_another_revision_than_listed_is_missing_and_unexpected() -> None:
    rows = [row("origin-403", "origin-403", "http.origin.reject-403", "FAIL", R26)]
    c = compare(rows, expectations(known=(origin_bug(),), revisions=(R25, R26)))
    assert c.missing == [origin_bug()]
    assert [r.revision for r in c.unexpected_fails] == [R26]


def test_a_warn_is_justified_only_where_its_entry_says() -> None:
    warn = Entry("http.post.response-terminates", "held open", ("resume-mid-event@2025-11-25",))
    rows = [row("resume-mid-event", "response-terminates", "http.post.response-terminates", "WARN"),
            row("network-down-up", "response-terminates", "http.post.response-terminates", "WARN")]
    c = compare(rows, expectations(warnings=(warn,)))
    assert [r.scenario for r, _ in c.justified_warns] == ["resume-mid-event"]
    assert [r.scenario for r in c.unjustified_warns] == ["network-down-up"]
    assert not c.clean


def test_a_warn_entry_does_not_excuse_a_fail_nor_an_error() -> None:
    allowed = Entry("harness.outcome.determinate", "the resume hangs")
    rows = [row("resume-each-boundary", "call-determinate", "harness.outcome.determinate", "ERROR")]
    assert compare(rows, expectations(warnings=(allowed,))).unexpected_errors == rows
    c = compare(rows, expectations(errors=(allowed,)))
    assert c.clean and [e for _, e in c.tolerated_errors] == [allowed]
    fail = [row("resume-each-boundary", "replay-no-gap", "http.resume.no-gaps", "FAIL")]
    assert compare(fail, expectations(warnings=(Entry("http.resume.no-gaps", "x"),))).unexpected_fails == fail


def test_a_scenario_that_ran_at_a_revision_the_server_does_not_speak_is_reported_once() -> None:
    rows = [row("network-down-up", "replay-no-gap", "http.resume.no-gaps", "PASS", R26),
            row("network-down-up", "response-terminates", "http.post.response-terminates", "NOT-OBSERVED", R26),
            row("origin-403", "scenario:origin-403", "harness.scenario", "NOT-APPLICABLE", R26)]
    c = compare(rows, expectations(revisions=(R25,)))
    assert c.off_revision == ["network-down-up@2026-07-28"]
    assert not c.clean
    assert compare(rows, expectations(revisions=(R25, R26))).clean


@pytest.mark.parametrize(("pattern", "scenario", "revision", "hit"), [
    ("origin-403", "origin-403", R26, True),  # no "@": any revision
    ("origin-403@2025-11-25", "origin-403", R26, False),
    ("origin-403@*", "origin-403", R26, True),
    ("resume-*", "resume-mid-event", R25, True),
    ("resume-*", "network-down-up", R25, False),
])
def test_scenario_patterns(pattern: str, scenario: str, revision: str, hit: bool) -> None:
    entry = Entry("http.resume.no-gaps", "r", (pattern,))
    assert entry.matches(row(scenario, "replay-no-gap", "http.resume.no-gaps", "FAIL", revision)) is hit


def test_an_entry_with_a_check_matches_only_that_check() -> None:
    entry = Entry("http.resume.no-gaps", "r", (), "replay-no-gap")
    assert entry.matches(row("x", "replay-no-gap", "http.resume.no-gaps", "FAIL"))
    assert not entry.matches(row("x", "other-check", "http.resume.no-gaps", "FAIL"))


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "exp.yaml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """
server: srv
revisions: [2025-11-25]
known_bugs:
  - {requirement: http.origin.reject-403, scenario: origin-403@2025-11-25, check: origin-403, reason: no Origin check}
warnings:
  - {requirement: http.post.response-terminates, scenario: ["resume-*", network-down-up], reason: held open}
errors:
  - {requirement: harness.outcome.determinate, reason: the resume hangs}
"""
RACE = """  - {requirement: http.resume.no-gaps, reason: lost in the replay window, intermittent: a race}
"""


def test_load_a_good_file(tmp_path: Path) -> None:
    exp = load_expectations(write(tmp_path, GOOD), KNOWN)
    assert exp.revisions == (R25,)
    assert exp.known_bugs == (Entry("http.origin.reject-403", "no Origin check", ("origin-403@2025-11-25",),
                                    "origin-403"),)
    assert exp.warnings[0].scenarios == ("resume-*", "network-down-up")
    assert exp.errors[0].scenarios == ()
    raced = load_expectations(write(tmp_path, GOOD.replace("warnings:", RACE + "warnings:")), KNOWN)
    assert raced.known_bugs[1].intermittent == "a race" and raced.known_bugs[0].intermittent is None


@pytest.mark.parametrize(("change", "message"), [
    (("reason: no Origin check}", "}"), "one-line 'reason'"),
    (("reason: no Origin check}", 'reason: "two\\nlines"}'), "one-line 'reason'"),
    (("http.origin.reject-403, scenario", "http.origin.reject-404, scenario"), "is not one any check reports"),
    (("origin-403@2025-11-25", "origin-404@2025-11-25"), "must match a scenario"),
    (("check: origin-403", "check: response-terminates"), "is not a check of requirement"),
    (("check: origin-403", "chekc: origin-403"), "unknown key(s) chekc"),
    (("revisions: [2025-11-25]", "revisions: [2025-11-26]"), "'revisions' must list"),
    (("warnings:", "warnigns:"), "unknown key(s) warnigns"),
    (("reason: held open}", "reason: held open, intermittent: a race}"), "only a known bug can be intermittent"),
    (("reason: no Origin check}", "reason: no Origin check, intermittent: ''}"), "'intermittent' needs one line"),
])
def test_load_rejects_a_mistake_with_one_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(UsageError, match="") as info:
        load_expectations(write(tmp_path, GOOD.replace(*change)), KNOWN)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_load_rejects_malformed_yaml_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="malformed YAML"):
        load_expectations(write(tmp_path, "server: [unclosed"), KNOWN)
    with pytest.raises(UsageError, match="No such file"):
        load_expectations(tmp_path / "absent.yaml", KNOWN)


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_the_corpus_files_load_against_the_real_checks_and_scenarios(name: str) -> None:
    server = SERVERS[name]
    exp = load_expectations(server.expectations)
    assert exp.server == name
    assert exp.known_bugs, "a corpus server is there for its known bugs"
    assert server.profile.exists()


def test_row_of_a_faultline_json_verdict() -> None:
    raw: dict[str, Any] = {"scenario": "origin-403", "check": "origin-403", "requirement": "http.origin.reject-403",
                           "revision": R25, "level": "MUST", "status": "FAIL", "message": "got 200", "spec": "",
                           "witness": [], "history": "/h/origin-403@2025-11-25.jsonl"}
    r = Row.of(raw)
    assert (r.scenario, r.revision, r.status, r.history) == ("origin-403", R25, "FAIL", raw["history"])
    assert r.label == "FAIL origin-403@2025-11-25 origin-403 [http.origin.reject-403]"


# -- the `load:` section: `faultline load`'s verdicts, compared by the same rules ------------------------------

LOAD_KNOWN = Known(KNOWN.requirements, KNOWN.checks, KNOWN.scenarios, {"load-isolation": "load.isolation"})
LOAD = """load:
  known_bugs:
    - {requirement: load.isolation, reason: another session's progress}
    - {requirement: http.resume.no-gaps, reason: the replay window, intermittent: a race}
  warnings:
    - {requirement: http.post.response-terminates, reason: held open}
"""


def load_doc_rows(tmp_path: Path, verdicts: list[dict[str, Any]]) -> list[Row]:
    """Rows as the corpus reads them from `faultline load --json` (harness/load/summary.py report_doc)."""
    from harness.thirdparty.corpus import verdict_rows

    p = tmp_path / "load.json"
    p.write_text(json.dumps({"kind": "faultline-load", "verdicts": verdicts}), encoding="utf-8")
    return verdict_rows(p)


def lv(scenario: str, check: str, requirement: str, status: str) -> dict[str, Any]:
    return {"scenario": scenario, "revision": R25, "check": check, "requirement": requirement, "status": status,
            "message": f"{check} said {status}", "history": None}


def test_a_load_section_is_read_apart_and_names_the_cross_client_checks(tmp_path: Path) -> None:
    exp = load_expectations(write(tmp_path, GOOD + LOAD), LOAD_KNOWN)
    assert exp.load is not None and exp.load.revisions == exp.revisions
    assert [e.requirement for e in exp.load.known_bugs] == ["load.isolation", "http.resume.no-gaps"]
    assert exp.load.known_bugs[1].intermittent == "a race" and exp.known_bugs[0].requirement == "http.origin.reject-403"
    assert load_expectations(write(tmp_path, GOOD), LOAD_KNOWN).load is None  # no load step for this server
    for bad, message in [
        (LOAD.replace("another session's progress}", "x, scenario: origin-403}"), "load.known_bugs[0]: unknown key"),
        (LOAD.replace("held open}", "held open, intermittent: a race}"), "only a known bug can be intermittent"),
        (LOAD.replace("warnings:", "warnigns:"), "'load' must be a mapping of"),
    ]:
        with pytest.raises(UsageError) as info:
            load_expectations(write(tmp_path, GOOD + bad), LOAD_KNOWN)
        assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(UsageError, match="is not one any check reports"):  # a cross-client id only in `load:`
        load_expectations(write(tmp_path, GOOD.replace("http.origin.reject-403, scenario", "load.isolation, scenario")
                                .replace(", check: origin-403", "")), LOAD_KNOWN)


def test_load_verdicts_compared_with_the_load_section(tmp_path: Path) -> None:
    exp = load_expectations(write(tmp_path, GOOD + LOAD), LOAD_KNOWN)
    assert exp.load is not None
    rows = load_doc_rows(tmp_path, [lv("load:c001#1", "response-terminates", "http.post.response-terminates", "WARN"),
                                    lv("load", "load-isolation", "load.isolation", "FAIL"),
                                    lv("load", "load-event-id-clients", "load.event-id.cross-session", "PASS")])
    c = compare(rows, exp.load)
    assert c.clean and [e.requirement for _, e in c.expected_fails] == ["load.isolation"]
    assert not compare(rows, exp).clean  # the suite's sections do not excuse a load verdict
    leak_missing = compare([r for r in rows if r.requirement != "load.isolation"], exp.load)
    assert [e.requirement for e in leak_missing.missing] == ["load.isolation"]
    extra = compare(rows + load_doc_rows(tmp_path, [lv("load:c004#2", "replay-no-duplicate",
                                                       "http.resume.no-duplicates", "FAIL")]), exp.load)
    assert [r.label for r in extra.unexpected_fails] == [
        "FAIL load:c004#2@2025-11-25 replay-no-duplicate [http.resume.no-duplicates]"]
