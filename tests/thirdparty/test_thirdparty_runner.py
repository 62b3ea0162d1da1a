"""The corpus runner's pieces that need no server: selection, the report, and its process groups."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from harness.errors import HarnessError, UsageError
from harness.thirdparty.corpus import RunResult, recheck
from harness.thirdparty.expectations import Entry, Expectations, Row, compare
from harness.thirdparty.processes import Group, follow, free_port, started, wait_listening
from harness.thirdparty.report import details, table, unused_allowances
from harness.thirdparty.servers import SERVERS, select_servers

R25 = "2025-11-25"


def test_select_servers_by_name_or_part_of_one() -> None:
    assert [s.name for s in select_servers(None)] == list(SERVERS)
    assert [s.name for s in select_servers(["fastmcp-4.2.3"])] == ["fastmcp-4.2.3"]
    assert [s.name for s in select_servers(["fastmcp"])] == ["fastmcp-4.2.3", "fastmcp-3.4.2"]
    assert [s.name for s in select_servers(["everything", "server-everything-2026.8.31"])] == [
        "server-everything-2026.8.31"]
    with pytest.raises(UsageError, match="no such server"):
        select_servers(["nope"])


def result(number: int, rows: list[Row], exp: Expectations, folder: Path) -> RunResult:
    r = RunResult(SERVERS["fastmcp-4.2.3"], number, folder, seconds=12.3)
    r.comparison = compare(rows, exp)
    return r


def test_table_and_details_name_what_made_a_run_unclean(tmp_path: Path) -> None:
    bug = Entry("http.origin.reject-403", "no Origin check", ("origin-403",))
    warn = Entry("http.post.response-terminates", "held open")
    never = Entry("harness.outcome.determinate", "never needed")
    exp = Expectations("fastmcp-4.2.3", (R25,), (bug,), (warn,), (never,))
    good = [Row("origin-403", R25, "origin-403", "http.origin.reject-403", "FAIL")]
    bad = [Row("origin-403", R25, "origin-403", "http.origin.reject-403", "PASS"),
           Row("resume-mid-event", R25, "event-id-unique", "http.sse.event-id-unique", "FAIL", "same id twice",
               "/h/resume-mid-event@2025-11-25.jsonl")]
    results = [result(1, good, exp, tmp_path), result(2, bad, exp, tmp_path), result(3, bad, exp, tmp_path)]
    lines = table(results)
    assert lines[0].split()[:3] == ["server", "run", "FAIL"]
    assert lines[1].split()[-1] == "clean" and lines[2].endswith("NOT clean")
    assert lines[2].split()[2:4] == ["0", "1"]  # expected / unexpected FAILs of run 2
    text = "\n".join(details(results))
    assert "unexpected FAIL resume-mid-event@2025-11-25 event-id-unique [http.sse.event-id-unique]: same id " \
           "twice (run 2, 3)" in text
    assert "history: /h/resume-mid-event@2025-11-25.jsonl" in text
    assert "known bug not FAILed: http.origin.reject-403 in origin-403 (no Origin check) (run 2, 3)" in text
    notes = unused_allowances(results, {"fastmcp-4.2.3": exp})
    assert notes == ["note: fastmcp-4.2.3: allowed WARN http.post.response-terminates was not seen in any run",
                     "note: fastmcp-4.2.3: allowed ERROR harness.outcome.determinate was not seen in any run"]


def test_a_run_that_could_not_run_says_why(tmp_path: Path) -> None:
    r = RunResult(SERVERS["fastmcp-3.4.2"], 1, tmp_path, problem="nothing listened on 127.0.0.1:1")
    assert not r.clean
    assert table([r])[1].endswith("could not run")
    assert "could not run: nothing listened" in "\n".join(details([r]))


def _alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet counts as gone: it no longer runs)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def test_a_started_group_is_gone_after_the_block_even_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    code = ("import os, signal, subprocess, sys, time\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
            "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
            f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
            "time.sleep(60)\n")
    with started([sys.executable, "-c", code], log=tmp_path / "out.log") as group:
        deadline = time.monotonic() + 10
        while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(pidfile.read_text())
        assert _alive(child)
    try:
        assert group.proc.returncode is not None
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:  # SIGKILLed with its group
            time.sleep(0.05)
        assert not _alive(child)
    finally:  # even when the test fails, it leaves nothing behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group.proc.pid, signal.SIGKILL)


def test_wait_listening_fails_fast_when_the_server_exits(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with started([sys.executable, "-c", "print('bind failed'); raise SystemExit(7)"], log=log) as group:
        t0 = time.monotonic()
        with pytest.raises(HarnessError, match="exited with code 7 before it listened.*bind failed"):
            wait_listening(group, free_port(), log, timeout=30)
        assert time.monotonic() - t0 < 10


def test_wait_listening_returns_once_the_port_accepts(tmp_path: Path) -> None:
    port = free_port()
    code = ("import socket, time\ntime.sleep(0.5)\ns = socket.socket()\n"
            f"s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(30)\n")
    with started([sys.executable, "-c", code], log=tmp_path / "s.log") as group:
        wait_listening(group, port, tmp_path / "s.log", timeout=20)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_free_port_takes_the_first_free_one_of_a_range() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        assert free_port(range(taken, taken + 1 + 200)) != taken
        with pytest.raises(HarnessError, match="no free port"):
            free_port(range(taken, taken + 1))


def test_follow_beats_while_quiet_and_gives_each_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.thirdparty.processes.HEARTBEAT_S", 0.2)
    code = "import time\nprint('one', flush=True)\ntime.sleep(1.0)\nprint('two', flush=True)\n"
    seen: list[str] = []
    beats: list[float] = []
    group = Group([sys.executable, "-c", code], None, None)
    try:
        rc = follow(group, tmp_path / "log", timeout=30, on_line=lambda t: seen.append(t) or True,
                    on_quiet=beats.append)
    finally:
        group.stop()
    assert rc == 0 and seen == ["one", "two"]
    assert len(beats) >= 2
    assert (tmp_path / "log").read_text() == "one\ntwo\n"


def test_follow_stops_a_run_past_its_deadline(tmp_path: Path) -> None:
    group = Group([sys.executable, "-c", "import time; time.sleep(60)"], None, None)
    try:
        with pytest.raises(HarnessError, match="did not finish within 1 s"):
            follow(group, tmp_path / "log", timeout=1, on_line=lambda t: True, on_quiet=lambda e: None)
        assert group.proc.poll() is not None
    finally:
        group.stop()


META = ('{"seq":0,"t":0.0,"kind":"meta","scenario":"%s","revision":"2026-07-28","target":"url http://127.0.0.1:1/mcp",'
        '"profile":"p","harness_version":"0.1.0","started_at":0.0,"params":{}}')
NA = ('{"seq":1,"t":0.1,"kind":"verdict","scenario":"task-lifecycle","check":"scenario:task-lifecycle",'
      '"requirement":"harness.scenario","revision":"2026-07-28","level":"MUST","status":"NOT-APPLICABLE",'
      '"message":"the server does not offer task-augmented tool calls","witness":[],"spec":""}')
STALE = ('{"seq":1,"t":0.1,"kind":"verdict","scenario":"slow-consumer","check":"origin-403",'
         '"requirement":"http.origin.reject-403","revision":"2026-07-28","level":"MUST","status":"FAIL",'
         '"message":"recorded by an older check","witness":[],"spec":""}')


def test_recheck_runs_todays_checks_over_recorded_histories_and_keeps_a_not_applicable(tmp_path: Path) -> None:
    folder = tmp_path / "fastmcp-4.2.3" / "run-2"
    (folder / "histories").mkdir(parents=True)
    (folder / "histories" / "task-lifecycle@2026-07-28.jsonl").write_text(
        META % "task-lifecycle" + "\n" + NA + "\n", encoding="utf-8")
    (folder / "histories" / "slow-consumer@2026-07-28.jsonl").write_text(
        META % "slow-consumer" + "\n" + STALE + "\n", encoding="utf-8")
    exp = Expectations("fastmcp-4.2.3", (R25,), (), (), ())
    r = recheck(SERVERS["fastmcp-4.2.3"], exp, folder)
    assert r.number == 2 and not r.problem
    lifecycle = [x for x in r.rows if x.scenario == "task-lifecycle"]
    assert [(x.check, x.status) for x in lifecycle] == [("scenario:task-lifecycle", "NOT-APPLICABLE")]
    consumer = [x for x in r.rows if x.scenario == "slow-consumer"]
    assert len(consumer) > 10 and not any(x.message == "recorded by an older check" for x in consumer)
    assert r.comparison is not None and r.comparison.off_revision == ["slow-consumer@2026-07-28"]
    assert (folder / "recheck.json").exists()


def test_recheck_of_a_folder_without_histories_says_so(tmp_path: Path) -> None:
    r = recheck(SERVERS["fastmcp-4.2.3"], Expectations("x", (R25,), (), (), ()), tmp_path / "run-1")
    assert "no histories" in r.problem and not r.clean


FIXTURE_SEGMENT = (Path(__file__).parent.parent / "fixtures" / "histories" / "thirdparty" / "fastmcp-3.4.2"
                   / "load-segment@2025-11-25.jsonl")


def test_the_load_step_counts_in_the_table_and_its_recheck_rereads_the_saved_segments(tmp_path: Path) -> None:
    leak = Entry("load.isolation", "another session's progress")
    per_stream = Entry("http.resume.per-stream", "other sessions' events")
    exp = Expectations("fastmcp-3.4.2", (R25,), (), (), (), load=Expectations("fastmcp-3.4.2", (R25,), (leak,), (), ()))
    folder = tmp_path / "fastmcp-3.4.2" / "run-1"
    (folder / "histories").mkdir(parents=True)
    (folder / "histories" / "origin-403@2026-07-28.jsonl").write_text(
        (META % "origin-403") + "\n" + NA.replace("task-lifecycle", "origin-403") + "\n", encoding="utf-8")
    segment = str(FIXTURE_SEGMENT)  # a segment the load step saved: its verdicts are recomputed by today's checks
    old = {"scenario": "load:c001#1", "revision": R25, "check": "replay-no-duplicate",
           "requirement": "http.resume.no-duplicates", "status": "FAIL", "message": "recorded by an older check",
           "history": segment}
    cross = {"scenario": "load", "revision": R25, "check": "load-isolation", "requirement": "load.isolation",
             "status": "FAIL", "message": "110 message(s) reached another client", "history": None}
    (folder / "load.json").write_text(json.dumps({"verdicts": [old, cross]}), encoding="utf-8")
    r = recheck(SERVERS["fastmcp-3.4.2"], exp, folder)
    assert r.load is not None and not r.problem
    assert not any(x.message == "recorded by an older check" for x in r.load_rows)  # rechecked, not carried over
    assert {x.requirement for x in r.load_rows if x.status == "FAIL"} == {
        "load.isolation", "http.resume.per-stream", "progress.token.active", "http.post.one-response",
        "http.resume.no-gaps"}  # the cross-client verdict carried over from load.json, the segment's afresh
    assert not r.clean and r.comparison is not None and r.comparison.clean  # the suite is clean, the load is not
    assert table([r])[1].split()[-5:-3] == ["1F", "5"]  # load ok / load not (4 FAIL + the WARN response-terminates)
    text = "\n".join(details([r]))
    assert "load: unexpected FAIL load:c001#1@2025-11-25 replay-per-stream [http.resume.per-stream]" in text
    assert f"history: {segment}" in text
    everything = Expectations("fastmcp-3.4.2", (R25,), (), (), (), load=Expectations(
        "fastmcp-3.4.2", (R25,), (leak, per_stream, Entry("progress.token.active", "same"),
                                  Entry("http.post.one-response", "same", intermittent="race"),
                                  Entry("http.resume.no-gaps", "window", intermittent="race")),
        (Entry("http.post.response-terminates", "held open"),), ()))
    assert recheck(SERVERS["fastmcp-3.4.2"], everything, folder).clean
    assert json.loads((folder / "recheck.json").read_text())["load"]["clean"] is True
