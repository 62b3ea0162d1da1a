"""`python -m benchmarks [name...]`: run `benchmarks.<name>.main()` for each name given, or for all modules.

Ctrl-C, SIGTERM (a CI timeout) and SIGHUP unwind the same way: every server a benchmark spawned is
stopped, one line is printed, and the exit code is 128 + the signal (130, 143, 129), as for `faultline`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from harness.cli import innermost, interrupted, signals_unwind


def main(argv: list[str]) -> int:
    known = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    names = argv or known
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    with signals_unwind():
        try:
            for name in names:
                importlib.import_module(f"benchmarks.{name}").main()
        except BaseException as exc:  # a KeyboardInterrupt, maybe inside a task group's exception group
            if isinstance(innermost(exc), KeyboardInterrupt):
                return interrupted("benchmarks")
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
