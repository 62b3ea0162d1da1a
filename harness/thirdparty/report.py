"""The corpus's terminal report: one table row per server run, then what made a run unclean."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.thirdparty.corpus import RunResult
from harness.thirdparty.expectations import Comparison, Expectations, Row

HEADER = ("server", "run", "FAIL exp", "FAIL unexp", "WARN ok", "WARN not", "ERR ok", "ERR unexp",
          "missing", "off-rev", "load ok", "load not", "time", "verdict")


def load_cells(c: Comparison | None) -> tuple[str, str]:
    """The load step's two cells: its allowed verdicts (known FAIL + justified WARN + tolerated ERROR, e.g.
    "3F 1W") and what made it unclean (unexpected FAIL/WARN/ERROR + known bugs not FAILed); "-": no load step."""
    if c is None:
        return "-", "-"
    ok = [f"{len(items)}{k}" for k, items in (("F", c.expected_fails), ("W", c.justified_warns),
                                              ("E", c.tolerated_errors)) if items]
    return " ".join(ok) or "0", str(len(c.unexpected_fails) + len(c.unjustified_warns) + len(c.unexpected_errors)
                                    + len(c.missing))


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
        rows.append((r.server.name, str(r.number), *counts, *load_cells(r.load), f"{r.seconds:.0f}s", verdict))
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
            runs = seen.setdefault(key, _Seen(text, history)).runs
            if run not in runs:  # the load step's many segments: each finding once per run
                runs.append(run)

        for r in (r for r in results if r.server.name == name):
            c = r.comparison
            if r.problem:
                note(f"problem {r.number}", f"could not run: {r.problem}", None, r.number)
            if c is None:
                continue
            for step, comparison in (("", c), ("load: ", r.load)):
                if comparison is None:
                    continue
                for kind, items in (("unexpected", comparison.unexpected_fails),
                                    ("unjustified", comparison.unjustified_warns),
                                    ("unexpected", comparison.unexpected_errors)):
                    for row in items:
                        key = f"{step}{row.status} {row.check} [{row.requirement}]" if step else row.label
                        note(key, f"{step}{kind} {row.label}: {_short(row)}", row.history, r.number)
                for e in comparison.missing:
                    note(f"{step}missing {e.label}", f"{step}known bug not FAILed: {e.label} ({e.reason})", None,
                         r.number)
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
        loads = [r.load for r in results if r.server.name == name and r.load is not None]
        for step, e_, comparisons in (("", exp, runs), ("load: ", exp.load, loads)):
            if e_ is None or not comparisons:
                continue
            used = set().union(*(c.used() for c in comparisons))
            intermittent = tuple(e for e in e_.known_bugs if e.intermittent)
            for kind, entries in (("intermittent FAIL", intermittent), ("WARN", e_.warnings), ("ERROR", e_.errors)):
                for e in entries:
                    if e not in used:
                        out.append(f"note: {name}: {step}allowed {kind} {e.label} was not seen in any run")
    return out
