"""task-starts-working judges how a task began only where the history saw it begin: a task first seen in a
tasks/list answer was created outside this history (an earlier run on the same long-lived server, as a fuzz
worker's), so its status there is no beginning; a task this history created still must begin `working`."""

from __future__ import annotations

import json
from pathlib import Path

from harness.checks import run_checks
from harness.history import History

FIX = Path(__file__).parent.parent / "fixtures" / "histories" / "good" / "task-lifecycle@2025-11-25.jsonl"


def _with_listed(task: dict) -> History:
    lines = FIX.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        record = json.loads(line)
        data = record.get("data") or ""
        if record.get("kind") == "sse" and '"tasks":[' in data:
            message = json.loads(data)
            message["result"]["tasks"].insert(0, task)
            record["data"], record["message"] = json.dumps(message), message
            lines[i] = json.dumps(record)
            break
    else:
        raise AssertionError("the fixture has no tasks/list answer")
    path = FIX.parent.parent.parent / "tmp-task-foreign.jsonl"
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return History.load(path)
    finally:
        path.unlink(missing_ok=True)


def _starts_working(h: History) -> str:
    return next(v.status for v in run_checks(h) if v.check == "task-starts-working")


def test_a_task_first_seen_in_a_list_is_not_judged_on_how_it_began() -> None:
    foreign = {"taskId": "created-by-an-earlier-run", "status": "cancelled", "createdAt": "2026-12-01T00:00:00Z",
               "lastUpdatedAt": "2026-12-01T00:00:01Z", "ttl": 60000}
    assert _starts_working(_with_listed(foreign)) == "PASS"


def test_a_listed_task_with_an_unknown_status_still_fails() -> None:
    foreign = {"taskId": "created-by-an-earlier-run", "status": "sleeping", "createdAt": "2026-12-01T00:00:00Z",
               "lastUpdatedAt": "2026-12-01T00:00:01Z", "ttl": 60000}
    assert _starts_working(_with_listed(foreign)) == "FAIL"
