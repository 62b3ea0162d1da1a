"""The official suite's `checks.json` files as typed rows, and one verdict per scenario."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

STATUSES = ("SUCCESS", "FAILURE", "WARNING", "INFO", "SKIPPED")
_DIR = re.compile(r"^server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")


@dataclass(frozen=True)
class OfficialCheck:
    scenario: str
    id: str
    name: str
    status: str  # SUCCESS | FAILURE | WARNING | INFO | SKIPPED
    description: str = ""
    error: str | None = None
    spec_refs: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)


def scenario_of(dirname: str) -> str:
    """`server-tools-list-2026-11-24T23-35-04-010Z` → `tools-list`."""
    m = _DIR.match(dirname)
    if not m:
        raise HarnessError(f"not an official result folder name: {dirname!r}")
    return m.group("scenario")


def parse_checks(scenario: str, data: Any, *, source: str = "checks.json") -> list[OfficialCheck]:
    if not isinstance(data, list):
        raise HarnessError(f"{source}: expected a JSON array of checks")
    rows = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or item.get("status") not in STATUSES:
            raise HarnessError(f"{source}: check #{i} lacks an id or a known status")
        refs = item.get("specReferences") or []
        details = item.get("details")
        rows.append(OfficialCheck(
            scenario=scenario, id=item["id"], name=str(item.get("name", "")), status=item["status"],
            description=str(item.get("description", "")), error=item.get("errorMessage"),
            spec_refs=tuple(str(r.get("id", "")) for r in refs if isinstance(r, dict)),
            details=details if isinstance(details, dict) else {},
        ))
    return rows


def read_results(out_dir: Path) -> list[OfficialCheck]:
    """Every `server-*/checks.json` under `out_dir` (the suite's `-o` folder)."""
    files = sorted(out_dir.glob("server-*/checks.json"))
    if not files:
        raise HarnessError(f"no server-*/checks.json under {out_dir}: did the suite run with -o {out_dir}?")
    rows: list[OfficialCheck] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise HarnessError(f"{path}: cannot read: {exc}") from None
        rows.extend(parse_checks(scenario_of(path.parent.name), data, source=str(path)))
    return rows


def scenario_verdicts(checks: list[OfficialCheck]) -> dict[str, str]:
    """FAIL (any FAILURE), else WARN (any WARNING), else PASS (any SUCCESS), else N/A (only INFO)."""
    by: dict[str, set[str]] = {}
    for c in checks:
        by.setdefault(c.scenario, set()).add(c.status)
    out = {}
    for scenario, seen in sorted(by.items()):
        out[scenario] = ("FAIL" if "FAILURE" in seen else "WARN" if "WARNING" in seen
                         else "PASS" if "SUCCESS" in seen else "N/A")
    return out
