"""The closing lines of a load run: what ran, the figures (rates, p50/p99 latencies, memory, fds), the
per-client verdicts grouped by requirement, the cross-client verdicts; and the exit code (1 on any FAIL)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness.history import Verdict
from harness.load.figures import Figures, Histogram, peak_rss_mb
from harness.load.workload import Shared


def _ms(h: Histogram, q: float) -> str:
    v = h.quantile(q)
    return "-" if v is None else f"{v * 1000:.0f} ms"


def figures_lines(f: Figures) -> list[str]:
    wall = max(f.elapsed(), 1e-9)
    return [
        f"  calls {f.calls} ({f.calls / wall:.1f}/s), resumes {f.resumes}, events {f.events} ({f.events / wall:.1f}/s), "
        f"segments checked {f.segments}, target restarts {f.restarts}",
        f"  event-delivery latency (request or previous event -> event): p50 {_ms(f.event_latency, 0.5)}, "
        f"p99 {_ms(f.event_latency, 0.99)}; exchange latency (request -> end): p50 {_ms(f.call_latency, 0.5)}, "
        f"p99 {_ms(f.call_latency, 0.99)}",
        f"  harness peak RSS {peak_rss_mb():.0f} MB, peak open fds {f.peak_fds}",
    ]


def summarize(shared: Shared, *, wall: float, seed: int, faults: float) -> tuple[list[str], int]:
    f = shared.figures
    lines = [f"load: {f.clients} clients for {f.elapsed():.0f}s ({wall:.0f}s with start-up and the last steps' end) "
             f"against {shared.target} (revision {shared.revision.value}, profile {shared.profile.name}, seed {seed}, "
             f"faults {faults:g})"]
    lines += figures_lines(f)
    per_client = [(c, s, v) for c, s, v in shared.verdicts if c != "(all)"]
    groups: Counter[tuple[str, str]] = Counter((v.status, v.requirement) for _, _, v in per_client)
    first: dict[tuple[str, str], tuple[str, int, Verdict]] = {}
    for c, s, v in per_client:
        first.setdefault((v.status, v.requirement), (c, s, v))
    order = {"FAIL": 0, "ERROR": 1, "WARN": 2}
    lines.append(f"  per-client checks: FAIL {f.fails}, WARN {f.warns}, ERROR {f.errors}")
    for (status, req), n in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])):
        c, s, v = first[(status, req)]
        lines.append(f"    {status} {req} x{n}: {c} segment {s}: {v.message[:200]}")
    lines.append("  cross-client checks:")
    cross: list[Verdict] = [v for c, _, v in shared.verdicts if c == "(all)"]
    for v in cross:
        lines.append(f"    {v.status} {v.requirement} ({v.check}): {v.message[:240]}")
    for path in sorted(shared.saved)[:6]:
        lines.append(f"  segment saved: {path} (faultline check {path})")
    failed = f.fails + sum(v.status == "FAIL" for v in cross)
    lines.append(f"load: {'FAIL' if failed else 'no FAIL'}"
                 + (f" ({failed} FAIL verdict(s))" if failed else
                    " (a slow server is reported by its figures above, not failed)"))
    return lines, 1 if failed else 0


def report_doc(shared: Shared, *, seed: int, faults: float) -> dict[str, Any]:
    """The run as JSON (`faultline load --json`): every kept per-client verdict (scenario `load:CLIENT#SEGMENT`,
    `history` its saved segment, if saved) and every cross-client verdict (scenario `load`), like `faultline run
    --json`'s `verdicts` list; the corpus (harness/thirdparty) compares them with an expectations file's `load:`."""
    f = shared.figures
    saved = {p.stem.split("-", 1)[1]: str(p) for p in shared.saved}  # "FAIL-c003-5" -> "c003-5"
    rows: list[dict[str, Any]] = []
    for client, segment, v in shared.verdicts:
        cross = client == "(all)"
        rows.append({"scenario": "load" if cross else f"load:{client}#{segment}", "revision": v.revision,
                     "check": v.check, "requirement": v.requirement, "status": str(v.status), "message": v.message,
                     "history": None if cross else saved.get(f"{client}-{segment}")})
    return {"kind": "faultline-load", "target": shared.target, "revision": shared.revision.value,
            "profile": shared.profile.name, "seed": seed, "faults": faults, "clients": f.clients,
            "seconds": round(f.elapsed(), 1), "calls": f.calls, "events": f.events, "segments": f.segments,
            "verdicts": rows}
