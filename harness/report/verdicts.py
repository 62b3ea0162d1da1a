"""Verdicts as plain objects (the JSON report's rows), with their witness records inlined."""

from __future__ import annotations

from typing import Any

from harness.runner import ScenarioResult


def verdict_rows(results: list[ScenarioResult]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        for v in r.verdicts:
            witness = []
            for seq in v.witness:
                if 0 <= seq < len(r.history):
                    witness.append(r.history[seq].model_dump(mode="json"))
            rows.append({
                "scenario": r.scenario,
                "check": v.check,
                "requirement": v.requirement,
                "revision": v.revision,
                "level": v.level,
                "status": v.status,
                "message": v.message,
                "spec": v.spec,
                "witness": witness,
                "history": str(r.history_path) if r.history_path else None,
            })
    return rows


def counts(results: list[ScenarioResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        for v in r.verdicts:
            out[v.status] = out.get(v.status, 0) + 1
    return out
