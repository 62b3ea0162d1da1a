"""One corpus run: start a server on 127.0.0.1, run `faultline run` against it, compare with its expectations.

Everything a run leaves is under `<out>/<server>/run-<n>/`: `histories/*.jsonl` (one per scenario, the
regression source), `verdicts.json`, `faultline.log`, `server.log` and `comparison.json`; then the load step
(`faultline load`, LOAD_ARGS, against the same server after the suite): `load.json` (its verdicts), `load.log`
and `load/histories/*.jsonl` (the segments with a FAIL, WARN or ERROR), compared with the file's `load:`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.checks import run_checks
from harness.errors import HarnessError
from harness.history import History, HistoryFormatError, Verdict
from harness.thirdparty.expectations import Comparison, Expectations, Row, compare
from harness.thirdparty.processes import follow, free_port, started, tail, wait_listening
from harness.thirdparty.servers import Say, Server, command

RUN_TIMEOUT_S = 900.0  # one server's whole suite (server-everything takes about 2 minutes)
LOAD_ARGS = ("--clients", "20", "--duration", "20", "--seed", "1")  # ~30 s a server: the corpus stays under ~6 min
LOAD_TIMEOUT_S = 180.0
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
    load: Comparison | None = None  # the load step's verdicts against the file's `load:` (None: no load step)
    load_rows: list[Row] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return (not self.problem and self.comparison is not None and self.comparison.clean
                and (self.load is None or self.load.clean))


def run_once(server: Server, exp: Expectations, number: int, *, cache: Path, out: Path, say: Say,
             ports: range | None = None, time_scale: float = 1.0) -> RunResult:
    folder = out / server.name / f"run-{number}"
    result = RunResult(server, number, folder)
    start = time.monotonic()
    try:
        result.rows, result.load_rows = _run(server, number, folder, cache=cache, say=say, ports=ports,
                                             time_scale=time_scale, load=exp.load is not None)
        result.comparison = compare(result.rows, exp)
        if exp.load is not None:
            result.load = compare(result.load_rows, exp.load)
    except HarnessError as exc:
        result.problem = str(exc)
    result.seconds = time.monotonic() - start
    _write_comparison(result)
    return result


def _run(server: Server, number: int, folder: Path, *, cache: Path, say: Say, ports: range | None,
         time_scale: float, load: bool) -> tuple[list[Row], list[Row]]:
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
                    "--time-scale", str(time_scale),
                    # one scenario at a time, as the expectations were measured: under -j N a server that replays
                    # across sessions (fastmcp 3.4.2) hands a scenario another running scenario's events at random
                    "--jobs", "1"]
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
        load_rows = _load(server, tag, url, folder, say=say, time_scale=time_scale) if load else []
    return verdict_rows(verdicts), load_rows


def _load(server: Server, tag: str, url: str, folder: Path, *, say: Say, time_scale: float) -> list[Row]:
    """The load step: `faultline load` against the server the suite just ran against; its verdicts as rows."""
    say(f"{tag}: faultline load {' '.join(LOAD_ARGS)} ...")
    report = folder / "load.json"
    argv = [sys.executable, "-m", "harness", "load", "--target", url, "--profile", str(server.profile), *LOAD_ARGS,
            "--time-scale", str(time_scale), "--out", str(folder / "load"), "--json", str(report), "--every", "10"]

    def line(text: str) -> bool:  # the live figure lines and the closing verdict ("load: ...")
        if text.startswith("load: "):
            say(f"{tag}: {text.strip()}")
            return True
        return False

    with started(argv, env={**os.environ, "PYTHONUNBUFFERED": "1"}, log=None) as run:
        code = follow(run, folder / "load.log", timeout=LOAD_TIMEOUT_S * time_scale, on_line=line,
                      on_quiet=lambda elapsed: say(f"{tag}: load running ({elapsed:.0f} s)"))
    if code not in (0, 1):
        raise HarnessError(f"faultline load exited {code}: {tail(folder / 'load.log')}")
    return verdict_rows(report)


def verdict_rows(path: Path) -> list[Row]:
    """The `verdicts` of a `faultline run --json` or `faultline load --json` report, as rows."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarnessError(f"{path}: cannot read the verdicts: {exc}") from None
    rows = raw.get("verdicts") if isinstance(raw, dict) else None  # the report object (docs/report.schema.json)
    if not isinstance(rows, list):
        raise HarnessError(f"{path}: expected a Faultline JSON report with a 'verdicts' list")
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
        if exp.load is not None and (folder / "load.json").is_file():  # a run recorded before the load step: none
            result.load_rows = recheck_load(folder)
            result.load = compare(result.load_rows, exp.load)
    except HarnessError as exc:
        result.problem = str(exc)
    result.seconds = time.monotonic() - start
    _write_comparison(result, "recheck.json")
    return result


def recheck_load(folder: Path) -> list[Row]:
    """The load step's verdicts again: today's checks over each segment it saved (those with a FAIL, WARN or
    ERROR); the cross-client verdicts and those of segments not saved (beyond the saved caps) as recorded in
    load.json (the digests they need are not kept). A segment clean at run time was not saved: a check that
    would now FAIL one needs a new corpus run."""
    rows, done = [], set()
    for row in verdict_rows(folder / "load.json"):
        if row.history is None or not Path(row.history).is_file():
            rows.append(row)
        elif row.history not in done:
            done.add(row.history)
            rows += [replace(r, scenario=row.scenario) for r in _checked(Path(row.history))  # load:CLIENT#SEGMENT
                     if r.status in ("FAIL", "WARN", "ERROR")]
    return rows


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
    if result.load is not None:
        lc = result.load
        doc["load"] = {"clean": lc.clean, "expected_fails": pairs(list(lc.expected_fails)),
                       "unexpected_fails": rows(lc.unexpected_fails), "justified_warns": pairs(list(lc.justified_warns)),
                       "unjustified_warns": rows(lc.unjustified_warns),
                       "tolerated_errors": pairs(list(lc.tolerated_errors)),
                       "unexpected_errors": rows(lc.unexpected_errors),
                       "missing_known_bugs": [{"bug": e.label, "reason": e.reason} for e in lc.missing]}
    result.folder.mkdir(parents=True, exist_ok=True)
    (result.folder / name).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
