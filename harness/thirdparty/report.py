"""The corpus's terminal report: one table row per server run, then what made a run unclean."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.thirdparty.corpus import RunResult
from harness.thirdparty.expectations import Expectations, Row

HEADER = ("server", "run", "FAIL exp", "FAIL unexp", "WARN ok", "WARN not", "ERR ok", "ERR unexp",
          "missing", "off-rev", "time", "verdict")


def table(results: list[RunResult]) -> list[str]:
    rows: list[tuple[str, ...]] = [HEADER]
    for r in results:
        c = r.comparison
        if c is None:
            counts: tuple[str, ...] = ("-",) * 8
        else:
            counts = tuple(str(len(x)) for x in (c.expected_fails, c.unexpected_fails, c.justified_warns,
                                                 c.unjustified_warns, c.tolerated_errors, c.unexpected_errors,
                                                 c.missing, c.off_revision))
        verdict = "clean" if r.clean else ("could not run" if r.problem else "NOT clean")
        rows.append((r.server.name, str(r.number), *counts, f"{r.seconds:.0f}s", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                  strict=True)))
            for row in rows]


@dataclass
class _Seen:
    text: str
    history: str | None
    runs: list[int] = field(default_factory=list)


def details(results: list[RunResult]) -> list[str]:
    """Per server, each thing that made a run unclean, once, with the runs it happened in."""
    out: list[str] = []
    for name in dict.fromkeys(r.server.name for r in results):
        seen: dict[str, _Seen] = {}

        def note(key: str, text: str, history: str | None, run: int, seen: dict[str, _Seen] = seen) -> None:
            seen.setdefault(key, _Seen(text, history)).runs.append(run)

        for r in (r for r in results if r.server.name == name):
            c = r.comparison
            if r.problem:
                note(f"problem {r.number}", f"could not run: {r.problem}", None, r.number)
            if c is None:
                continue
            for kind, items in (("unexpected", c.unexpected_fails), ("unjustified", c.unjustified_warns),
                                ("unexpected", c.unexpected_errors)):
                for row in items:
                    note(row.label, f"{kind} {row.label}: {_short(row)}", row.history, r.number)
            for e in c.missing:
                note(f"missing {e.label}", f"known bug not FAILed: {e.label} ({e.reason})", None, r.number)
            if c.off_revision:
                text = f"ran at a revision it does not speak: {', '.join(c.off_revision)}"
                note(text, text, None, r.number)
        if seen:
            out.append(f"\n{name}:")
            for s in seen.values():
                out.append(f"  {s.text} (run {', '.join(map(str, s.runs))})")
                if s.history:
                    out.append(f"      history: {s.history}")
    return out


def _short(row: Row, limit: int = 200) -> str:
    text = " ".join(row.message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unused_allowances(results: list[RunResult], expectations: dict[str, Expectations]) -> list[str]:
    """Intermittent known bugs, WARN and ERROR allowances no run of their server needed (informational)."""
    out: list[str] = []
    for name, exp in expectations.items():
        runs = [r.comparison for r in results if r.server.name == name and r.comparison is not None]
        if not runs:
            continue
        used = set().union(*(c.used() for c in runs))
        intermittent = tuple(e for e in exp.known_bugs if e.intermittent)
        for kind, entries in (("intermittent FAIL", intermittent), ("WARN", exp.warnings), ("ERROR", exp.errors)):
            for e in entries:
                if e not in used:
                    out.append(f"note: {name}: allowed {kind} {e.label} was not seen in any run")
    return out
