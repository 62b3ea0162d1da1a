"""Run the official suite's server scenarios against a URL, and judge against the expected failures."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, UsageError
from harness.heartbeat import Heartbeat, duration
from harness.official.install import SUITE_VERSION, ensure_suite_version
from harness.official.results import OfficialCheck, read_results, scenario_verdicts
from harness.yamlfile import load_yaml_file

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class SuiteRun:
    exit_code: int
    stdout: str  # ANSI colours stripped
    out_dir: Path
    checks: list[OfficialCheck]

    def summary(self) -> list[str]:
        """The suite's own `=== SUMMARY ===` block (per-scenario lines and the Total line)."""
        lines = self.stdout.splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip() == "=== SUMMARY ==="), None)
        return [ln for ln in lines[start:] if ln.strip()] if start is not None else []


def run_official(url: str, out_dir: Path, *, suite: str = "active", spec_version: str = "2025-11-25",
                 cache: Path | None = None, timeout: float = 900.0, version: str = SUITE_VERSION,
                 requirements: str | None = None) -> SuiteRun:
    """`conformance server --url URL --suite S --spec-version V -o OUT_DIR` (OUT_DIR must be new or empty);
    with `requirements` (0.2: one revision per run) `--requirements REV` instead of `--suite`/`--spec-version`:
    what the revision requires, plus its not-scored scenarios (the tasks extension, the pending ones)."""
    node, entry = ensure_suite_version(version, cache)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise UsageError(f"{out_dir} is not empty: the suite accumulates result folders, give a fresh one")
    out_dir.mkdir(parents=True, exist_ok=True)
    selection = ["--requirements", requirements] if requirements else ["--suite", suite, "--spec-version", spec_version]
    argv = [str(node), str(entry), "server", "--url", url, *selection, "-o", str(out_dir)]
    started = time.monotonic()

    def status() -> str:  # the suite writes a server-<scenario>-<time>/ folder per scenario it ran
        done = sum(1 for _ in out_dir.glob("server-*/checks.json"))
        return (f"  ... official suite {version}: {duration(time.monotonic() - started)} in, "
                f"{done} scenario(s) done")

    try:
        with Heartbeat(status):
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"the official suite did not finish within {timeout:.0f} s") from None
    stdout = ANSI.sub("", proc.stdout)
    if not any(out_dir.glob("server-*/checks.json")):
        tail = (ANSI.sub("", proc.stderr).strip() or stdout.strip()).splitlines()[-1:] or ["no output"]
        raise HarnessError(f"the official suite wrote no results (exit {proc.returncode}): {tail[0]}")
    return SuiteRun(proc.returncode, stdout, out_dir, read_results(out_dir))


def load_expected(path: Path, version: str = SUITE_VERSION, revision: str | None = None) -> dict[str, str]:
    """{scenario: reason} for one suite version (and revision). The file is keyed by suite version,
    `{"0.1.16": {server: [{scenario, reason}]}, "0.2.0-alpha.12": {server: [{scenario, revision?, reason}]}}`;
    a file with a top-level `server:` list is 0.1.16's. Every entry needs a reason; an entry with a
    `revision` applies to that revision's run only."""
    data = load_yaml_file(path, "--expected-failures") or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of suite versions to {{server: [...]}}")
    if "server" not in data:
        for key, section in data.items():
            if not isinstance(section, dict):
                raise UsageError(f"{path}: {key!r} must map to {{server: [{{scenario, reason}}, ...]}}")
        data = data.get(version) or {}
    elif version != SUITE_VERSION:
        data = {}
    entries = data.get("server")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise UsageError(f"{path}: 'server' must be a list of {{scenario, reason}} entries")
    out: dict[str, str] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("scenario"), str) or not str(e.get("reason") or "").strip():
            raise UsageError(f"{path}: server entry #{i} needs a 'scenario' name and a non-empty 'reason'")
        applies = e.get("revision")  # YAML reads an unquoted 2026-07-28 as a date
        if revision is None or applies is None or str(applies) == revision:
            out[e["scenario"]] = str(e["reason"]).strip()
    return out


def unexpected_failures(checks: list[OfficialCheck], expected: dict[str, str]) -> list[str]:
    """Scenarios with a FAILURE that the expected-failures file does not list."""
    return [s for s, v in scenario_verdicts(checks).items() if v == "FAIL" and s not in expected]
