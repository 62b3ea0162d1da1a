"""A server's expectations file, and the comparison of one run's verdicts with it (pure functions).

    server: fastmcp-3.4.2
    revisions: [2025-11-25]        # what it speaks: every scenario at another one must be NOT-APPLICABLE
    known_bugs:                    # each must be FAILed (at least one matching FAIL) in every run
      - requirement: http.resume.foreign-id
        scenario: session-isolation@2025-11-25    # optional: a glob over NAME@REVISION (NAME: any revision),
                                                  # or a list of them (any one will do)
        check: replay-foreign-or-unknown-id       # optional
        reason: one line: what the server does wrong
      - requirement: http.resume.no-gaps
        reason: ...
        intermittent: one line: why it is not seen in every run (then it may FAIL, and need not)
    warnings:                      # WARNs it may give (same keys); any other WARN is unjustified
      - {requirement: http.post.response-terminates, reason: "..."}
    errors:                        # ERRORs it may give (same keys): the harness could not tell, because of a known bug
      - {requirement: harness.outcome.determinate, scenario: "resume-*", reason: "..."}
    load:                          # the same three sections for `faultline load`'s verdicts (per-client and
      known_bugs:                  # cross-client, e.g. load.isolation); no `scenario` key (a load run is one
        - {requirement: load.isolation, reason: "...", intermittent: "..."}      # scenario, `load`)
      warnings: []

A FAIL no known bug matches, a WARN or ERROR no entry allows, a known bug without a FAIL, and a
scenario that ran at a revision the server does not speak each make the run unclean.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UsageError
from harness.revisions import Revision

SECTIONS = ("known_bugs", "warnings", "errors")
ENTRY_KEYS = {"requirement", "scenario", "check", "reason", "intermittent"}
REVISIONS = tuple(r.value for r in Revision)


@dataclass(frozen=True)
class Entry:
    requirement: str
    reason: str
    scenarios: tuple[str, ...] = ()  # globs over "name@revision" (without "@": over the name); () = any
    check: str | None = None
    intermittent: str | None = None  # a known bug a run may miss (a race): why; then it is allowed, not required

    def matches(self, row: Row) -> bool:
        if row.requirement != self.requirement or (self.check is not None and row.check != self.check):
            return False
        return not self.scenarios or any(_scenario_matches(p, row.scenario, row.revision) for p in self.scenarios)

    @property
    def label(self) -> str:
        where = f" in {', '.join(self.scenarios)}" if self.scenarios else ""
        return f"{self.requirement}{f' ({self.check})' if self.check else ''}{where}"


def _scenario_matches(pattern: str, scenario: str, revision: str) -> bool:
    return fnmatch.fnmatchcase(f"{scenario}@{revision}" if "@" in pattern else scenario, pattern)


@dataclass(frozen=True)
class Expectations:
    server: str
    revisions: tuple[str, ...]
    known_bugs: tuple[Entry, ...]
    warnings: tuple[Entry, ...]
    errors: tuple[Entry, ...]
    load: Expectations | None = None  # the `load:` section: what `faultline load` may report (same rules)


@dataclass(frozen=True)
class Row:
    """One verdict of `faultline run --json`."""

    scenario: str
    revision: str
    check: str
    requirement: str
    status: str
    message: str = ""
    history: str | None = None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Row:
        return cls(str(raw.get("scenario", "")), str(raw.get("revision", "")), str(raw.get("check", "")),
                   str(raw.get("requirement", "")), str(raw.get("status", "")), str(raw.get("message") or ""),
                   raw.get("history"))

    @property
    def label(self) -> str:
        return f"{self.status} {self.scenario}@{self.revision} {self.check} [{self.requirement}]"


@dataclass
class Comparison:
    expected_fails: list[tuple[Row, Entry]] = field(default_factory=list)
    unexpected_fails: list[Row] = field(default_factory=list)
    justified_warns: list[tuple[Row, Entry]] = field(default_factory=list)
    unjustified_warns: list[Row] = field(default_factory=list)
    tolerated_errors: list[tuple[Row, Entry]] = field(default_factory=list)
    unexpected_errors: list[Row] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)  # known bugs no FAIL matched
    off_revision: list[str] = field(default_factory=list)  # "name@revision" run at a revision it does not speak

    @property
    def clean(self) -> bool:
        return not (self.unexpected_fails or self.unjustified_warns or self.unexpected_errors or self.missing
                    or self.off_revision)

    def used(self) -> set[Entry]:
        return {e for _, e in self.expected_fails + self.justified_warns + self.tolerated_errors}


def compare(rows: Iterable[Row], exp: Expectations) -> Comparison:
    out = Comparison()
    off: dict[str, None] = {}
    for row in rows:
        if row.revision not in exp.revisions and row.status != "NOT-APPLICABLE":
            off.setdefault(f"{row.scenario}@{row.revision}")
        kept, lost, allowed = {
            "FAIL": (out.expected_fails, out.unexpected_fails, exp.known_bugs),
            "WARN": (out.justified_warns, out.unjustified_warns, exp.warnings),
            "ERROR": (out.tolerated_errors, out.unexpected_errors, exp.errors),
        }.get(row.status, (None, None, ()))
        if kept is None or lost is None:
            continue
        entry = next((e for e in allowed if e.matches(row)), None)
        if entry is None:
            lost.append(row)
        else:
            kept.append((row, entry))
    found = {e for _, e in out.expected_fails}
    out.missing = [e for e in exp.known_bugs if e not in found and e.intermittent is None]
    out.off_revision = list(off)
    return out


def _entry(path: Path, section: str, i: int, raw: Any, known: Known) -> Entry:
    where = f"{path}: {section}[{i}]"
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: expected a mapping with 'requirement' and 'reason'")
    extra = set(raw) - (ENTRY_KEYS - {"scenario"} if section.startswith("load.") else ENTRY_KEYS)
    if extra:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(map(str, extra)))} "
                         f"(the keys are {', '.join(sorted(ENTRY_KEYS))})")
    req, reason = raw.get("requirement"), raw.get("reason")
    if not isinstance(req, str) or req not in known.requirements:
        raise UsageError(f"{where}: requirement {req!r} is not one any check reports")
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
        raise UsageError(f"{where}: needs a one-line 'reason'")
    scenario, check = raw.get("scenario"), raw.get("check")
    patterns = [scenario] if isinstance(scenario, str) else scenario if isinstance(scenario, list) else None
    if scenario is not None and (not patterns or any(not isinstance(p, str) or not known.scenario_matches(p)
                                                     for p in patterns)):
        raise UsageError(f"{where}: scenario {scenario!r}: each pattern must match a scenario "
                         "(NAME or NAME@REVISION, globs allowed; one or a list)")
    if check is not None and known.checks.get(str(check)) != req:
        raise UsageError(f"{where}: check {check!r} is not a check of requirement {req}")
    intermittent = raw.get("intermittent")
    if intermittent is not None:
        if not section.endswith("known_bugs"):
            raise UsageError(f"{where}: only a known bug can be intermittent (a {section} entry is never required)")
        if not isinstance(intermittent, str) or not intermittent.strip() or "\n" in intermittent.strip():
            raise UsageError(f"{where}: 'intermittent' needs one line: why a run may not show it")
        intermittent = intermittent.strip()
    return Entry(req, reason.strip(), tuple(patterns or ()), check, intermittent)


@dataclass(frozen=True)
class Known:
    """What an expectations file may name: requirement ids, checks (name → requirement), scenario names."""

    requirements: frozenset[str]
    checks: dict[str, str]
    scenarios: frozenset[str]
    load_checks: dict[str, str] = field(default_factory=dict)  # the cross-client checks of `faultline load`

    def for_load(self) -> Known:
        """What a `load:` entry may name: every check a load run reports (each segment's and the cross-client)."""
        checks = {**self.checks, **self.load_checks}
        return Known(frozenset(checks.values()) | {"harness.load.step"}, checks, frozenset())

    def scenario_matches(self, pattern: str) -> bool:
        return any(_scenario_matches(pattern, s, r) for s in self.scenarios for r in REVISIONS)

    @classmethod
    def from_registry(cls) -> Known:
        from harness.checks import all_checks
        from harness.load.checks import LOAD_CHECKS
        from scenarios.api import all_scenarios

        checks = {c.name: c.requirement for c in all_checks()}
        return cls(frozenset(checks.values()) | {"harness.scenario"}, checks,
                   frozenset(s.name for s in all_scenarios()), {c.name: c.requirement for c in LOAD_CHECKS.values()})


def load_expectations(path: Path, known: Known | None = None) -> Expectations:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{path}: malformed YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("server"), str):
        raise UsageError(f"{path}: expected a mapping with 'server', 'revisions' and {', '.join(SECTIONS)}")
    extra = set(data) - {"server", "revisions", "load", *SECTIONS}
    if extra:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(map(str, extra)))}")
    revisions = data.get("revisions")
    if not isinstance(revisions, list) or not revisions or any(str(r) not in REVISIONS for r in revisions):
        raise UsageError(f"{path}: 'revisions' must list the revisions it speaks, of {', '.join(REVISIONS)}")
    known = known or Known.from_registry()
    sections = _sections(path, data, known, "")
    load = data.get("load")
    if load is not None and (not isinstance(load, dict) or set(load) - set(SECTIONS)):
        raise UsageError(f"{path}: 'load' must be a mapping of {', '.join(SECTIONS)} (the load run's verdicts)")
    server, spoken = data["server"], tuple(str(r) for r in revisions)
    load_exp = None
    if load is not None:
        ls = _sections(path, load, known.for_load(), "load.")
        load_exp = Expectations(server, spoken, ls["known_bugs"], ls["warnings"], ls["errors"])
    return Expectations(server, spoken, sections["known_bugs"], sections["warnings"], sections["errors"], load_exp)


def _sections(path: Path, data: dict[str, Any], known: Known, prefix: str) -> dict[str, tuple[Entry, ...]]:
    sections: dict[str, tuple[Entry, ...]] = {}
    for section in SECTIONS:
        raw = data.get(section) or []
        if not isinstance(raw, list):
            raise UsageError(f"{path}: '{prefix}{section}' must be a list")
        sections[section] = tuple(_entry(path, prefix + section, i, e, known) for i, e in enumerate(raw))
    return sections
