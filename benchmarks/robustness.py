"""Robustness figures: peak RSS of the harness reading a 10,000-event stream and one 50 MB event.

Each case runs the whole harness (runner, embedded proxy, recording client, checks) in a fresh
process against the hostile test server (tests/hostile/) and reports ru_maxrss. Target: <= 150 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET_MB = 150.0
ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def main() -> None:
    for path in (str(ROOT), str(TESTS)):  # ROOT first: tests/harness/ must not shadow the harness package
        if path not in sys.path:
            sys.path.append(path)
    from hostile.memprobe import measure

    print(f"robustness: peak RSS of the harness process (target <= {TARGET_MB:.0f} MB)")
    for case, label in (("many", "10,000-event stream"), ("huge", "one 50 MB event")):
        try:
            m = measure(case)
        except Exception as exc:  # noqa: BLE001 - a figure that could not be taken is reported, not raised
            print(f"  {label:<22} could not measure: {exc}")
            continue
        verdict = "met" if m["peak_mb"] <= TARGET_MB else "NOT met"
        ends = "; ".join(sorted(set(m["ends"])))[:160]
        print(f"  {label:<22} peak {m['peak_mb']:7.1f} MB (baseline {m['baseline_mb']:.1f} MB)  "
              f"{m['wall_s']:6.2f}s  {m['events']} events  cell {m['status']}  [{verdict}]  ends: {ends}")


if __name__ == "__main__":
    main()
