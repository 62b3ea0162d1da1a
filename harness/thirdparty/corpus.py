"""One corpus run: start a server on 127.0.0.1, run `faultline run` against it, compare with its expectations.

Everything a run leaves is under `<out>/<server>/run-<n>/`: `histories/*.jsonl` (one per scenario, the
regression source), `verdicts.json`, `faultline.log`, `server.log` and `comparison.json`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.checks import run_checks
from harness.errors import HarnessError
from harness.history import History, HistoryFormatError, Verdict
from harness.thirdparty.expectations import Comparison, Expectations, Row, compare
from harness.thirdparty.processes import follow, free_port, started, tail, wait_listening
from harness.thirdparty.servers import Say, Server, command

RUN_TIMEOUT_S = 900.0  # one server's whole suite (server-everything takes about 2 minutes)
_RESULT = re.compile(r"^\[\d+/\d+\]\s+(\S+)\s+(\S+)")  # faultline's "[i/N] status scenario@rev (t)" line


@dataclass
class RunResult:
    server: Server
    number: int
    folder: Path
    seconds: float = 0.0
    comparison: Comparison | None = None
    problem: str = ""  # the run could not be judged: why
    rows: list[Row] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problem and self.comparison is not None and self.comparison.clean


def run_once(server: Server, exp: Expectations, number: int, *, cache: Path, out: Path, say: Say,
             ports: range | None = None, time_scale: float = 1.0) -> RunResult:
    folder = out / server.name / f"run-{number}"
    result = RunResult(server, number, folder)
    start = time.monotonic()
    try:
        result.rows = _run(server, number, folder, cache=cache, say=say, ports=ports, time_scale=time_scale)
        result.comparison = compare(result.rows, exp)
    except HarnessError as exc:
        result.problem = str(exc)
    result.seconds = time.monotonic() - start
    _write_comparison(result)
    return result


def _run(server: Server, number: int, folder: Path, *, cache: Path, say: Say, ports: range | None,
         time_scale: float) -> list[Row]:
    tag = f"{server.name} #{number}"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port(ports)
    argv, env = command(server, cache, port)
    url = f"http://127.0.0.1:{port}/mcp"
    server_log = folder / "server.log"
    with started(argv, env, server_log) as srv:
        wait_listening(srv, port, server_log)
        say(f"{tag}: {server.label} listening on {url}; faultline run, both revisions ...")
        verdicts = folder / "verdicts.json"
        run_argv = [sys.executable, "-m", "harness", "run", "--target", url, "--profile", str(server.profile),
                    "--revision", "all", "--out", str(folder), "--json", str(verdicts),
                    "--time-scale", str(time_scale)]
        last = ["starting"]

        def line(text: str) -> bool:
            m = _RESULT.match(text)
            if not m:
                return False
            last[0] = m.group(2)
            if m.group(1) == "n/a":
                return False
            say(f"{tag}: {text.strip()}")
            return True

        def quiet(elapsed: float) -> None:
            say(f"{tag}: running ({elapsed:.0f} s; last finished: {last[0]})")

        with started(run_argv, env={**os.environ, "PYTHONUNBUFFERED": "1"}, log=None) as run:
            code = follow(run, folder / "faultline.log", timeout=RUN_TIMEOUT_S * time_scale, on_line=line,
                          on_quiet=quiet)
        if srv.proc.poll() is not None:
            raise HarnessError(f"{server.name} exited with code {srv.proc.returncode} during the run "
                               f"(log: {server_log})")
    if code not in (0, 1):
        raise HarnessError(f"faultline run exited {code}: {tail(folder / 'faultline.log')}")
    try:
        raw = json.loads(verdicts.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarnessError(f"{verdicts}: cannot read the verdicts: {exc}") from None
    rows = raw.get("verdicts") if isinstance(raw, dict) else None  # the report object (docs/report.schema.json)
    if not isinstance(rows, list):
        raise HarnessError(f"{verdicts}: expected a Faultline JSON report with a 'verdicts' list")
    return [Row.of(r) for r in rows if isinstance(r, dict)]


def recheck(server: Server, exp: Expectations, folder: Path) -> RunResult:
    """Today's checks over the histories a run recorded (offline, in seconds), compared again: after a
    change to the checks, this says whether the corpus would be clean without starting any server."""
    result = RunResult(server, int(folder.name.rpartition("-")[2] or 0), folder)
    start = time.monotonic()
    histories = sorted((folder / "histories").glob("*.jsonl"))
    try:
        if not histories:
            raise HarnessError(f"no histories in {folder / 'histories'}")
        result.rows = [row for path in histories for row in _checked(path)]
        result.comparison = compare(result.rows, exp)
    except HarnessError as exc:
        result.problem = str(exc)
    result.seconds = time.monotonic() - start
    _write_comparison(result, "recheck.json")
    return result


def _checked(path: Path) -> list[Row]:
    try:
        history = History.load(path)
    except (OSError, HistoryFormatError) as exc:
        raise HarnessError(f"{path}: {exc}") from None
    recorded = [r for r in history.records if isinstance(r, Verdict)]
    own = [v for v in recorded if v.requirement == "harness.scenario"]  # the scenario's own outcome, as it ran
    history.records = [r for r in history.records if not isinstance(r, Verdict)]
    verdicts = own if any(v.status == "NOT-APPLICABLE" for v in own) else own + run_checks(history)
    return [Row(v.scenario, v.revision, v.check, v.requirement, str(v.status), v.message, str(path))
            for v in verdicts]


def _write_comparison(result: RunResult, name: str = "comparison.json") -> None:
    c = result.comparison
    doc: dict[str, object] = {"server": result.server.name, "run": result.number, "seconds": round(result.seconds, 1),
                              "clean": result.clean, "problem": result.problem}
    if c is not None:
        def rows(items: list[Row]) -> list[dict[str, object]]:
            return [{"finding": r.label, "message": r.message, "history": r.history} for r in items]

        def pairs(items: list[tuple[Row, object]]) -> list[dict[str, object]]:
            return [{"finding": r.label, "because": getattr(e, "reason", ""), "history": r.history} for r, e in items]

        doc |= {"expected_fails": pairs(list(c.expected_fails)), "unexpected_fails": rows(c.unexpected_fails),
                "justified_warns": pairs(list(c.justified_warns)), "unjustified_warns": rows(c.unjustified_warns),
                "tolerated_errors": pairs(list(c.tolerated_errors)), "unexpected_errors": rows(c.unexpected_errors),
                "missing_known_bugs": [{"bug": e.label, "reason": e.reason} for e in c.missing],
                "off_revision": c.off_revision}
    result.folder.mkdir(parents=True, exist_ok=True)
    (result.folder / name).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
