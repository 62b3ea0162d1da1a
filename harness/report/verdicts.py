"""The JSON report (`--json`): one object — the tool, the target, the profile, the revisions, when, a
summary (per status, per scenario, per requirement) and the verdicts, each with its witness records
inlined and whether its check is one the scenario targets. Its schema: docs/report.schema.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.report.status import shown, targeted
from harness.report.summary import Tally, tally
from harness.runner import ScenarioResult

FORMAT = "faultline-report/1"


@dataclass
class RunInfo:
    """What the run was: against what, with which profile, at which revisions, when (epoch seconds)."""

    target: str
    profile: str
    revisions: tuple[str, ...]
    started_at: float
    finished_at: float


def verdict_rows(results: list[ScenarioResult]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        for v in shown(r.verdicts, r.exercises):
            witness = [r.history[seq].model_dump(mode="json") for seq in v.witness if 0 <= seq < len(r.history)]
            rows.append({
                "scenario": r.scenario,
                "revision": v.revision,
                "check": v.check,
                "requirement": v.requirement,
                "level": v.level,
                "status": v.status,
                "targeted": targeted(v, r.exercises),
                "message": v.message,
                "spec": v.spec,
                "witness_seqs": list(v.witness),
                "witness": witness,
                "history": str(r.history_path) if r.history_path else None,
            })
    return rows


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def document(results: list[ScenarioResult], info: RunInfo, counts: Tally | None = None) -> dict[str, Any]:
    counts = counts or tally(results)
    return {
        "format": FORMAT,
        "tool": {"name": "faultline", "version": __version__},
        "target": info.target,
        "profile": info.profile,
        "revisions": list(info.revisions),
        "started_at": _iso(info.started_at),
        "finished_at": _iso(info.finished_at),
        "seconds": round(info.finished_at - info.started_at, 3),
        "summary": counts.as_json(),
        "verdicts": verdict_rows(results),
    }


def write_json(results: list[ScenarioResult], info: RunInfo, path: Path, counts: Tally | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(results, info, counts), indent=2), encoding="utf-8")
    return path
