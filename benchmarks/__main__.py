"""`python -m benchmarks [name...]`: run `benchmarks.<name>.main()` for each name given, or for all modules,
then the figures side by side: a module's main() may return {label: figure} for that closing table (suite:
serial vs parallel wall time and ratio; official: the official suite's checks/s beside Faultline's; the
hostile suite's wall time (robustness) and the fuzz figures (fuzz) when those modules return theirs).
A heartbeat line (what runs, for how long) fills any silence over 8 s, so a CI log never waits 10 s.

Ctrl-C, SIGTERM (a CI timeout) and SIGHUP unwind the same way: every server a benchmark spawned is
stopped, one line is printed, and the exit code is 128 + the signal (130, 143, 129), as for `faultline`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from harness.cli import innermost, interrupted, signals_unwind
from harness.heartbeat import Heartbeat, duration

ORDER = ("suite", "official", "robustness", "fuzz", "proxy")  # run in this order (the headline first), and so shown


class _Now:
    name = ""
    since = 0.0


class _Touching:
    """stdout that restarts the heartbeat's silence clock at every line a benchmark prints."""

    def __init__(self, out: TextIO, beat: Heartbeat) -> None:
        self._out, self._beat = out, beat

    def write(self, text: str) -> int:
        if "\n" in text:
            self._beat.touch()
        return self._out.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def _rank(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


def side_by_side(figures: dict[str, dict[str, str]]) -> list[str]:
    rows = [(name, label, figure) for name in sorted(figures, key=_rank)
            for label, figure in figures[name].items()]
    width = max((len(label) for _, label, _ in rows), default=0)
    return ["", "bench figures, side by side:"] + [f"  {label:<{width}}  {figure}" for _, label, figure in rows]


def main(argv: list[str]) -> int:
    known = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    names = argv or sorted(known, key=_rank)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    now = _Now()
    figures: dict[str, dict[str, str]] = {}
    out = sys.stdout
    with signals_unwind(), Heartbeat(lambda: f"  ... bench {now.name}: {duration(time.monotonic() - now.since)} in",
                                     stream=out) as beat:
        sys.stdout = _Touching(out, beat)  # type: ignore[assignment]
        try:
            for name in names:
                now.name, now.since = name, time.monotonic()
                found = importlib.import_module(f"benchmarks.{name}").main()
                if isinstance(found, dict) and found:
                    figures[name] = {str(k): str(v) for k, v in found.items()}
        except BaseException as exc:  # a KeyboardInterrupt, maybe inside a task group's exception group
            if isinstance(innermost(exc), KeyboardInterrupt):
                return interrupted("benchmarks")
            raise
        finally:
            sys.stdout = out
    if figures:
        print("\n".join(side_by_side(figures)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
