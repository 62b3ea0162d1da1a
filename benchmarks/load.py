"""Load figures: `faultline load` with 200 clients for 60 s against the spawned reference agents (faults on),
in a fresh process: calls/s, events/s, p50/p99 event-delivery latency, the harness's peak RSS (target <= 300 MB)
and peak open fds, and the FAIL count (must be 0). The machine's other load inflates the latencies: they are
figures, not verdicts."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

TARGET_MB = 300.0
CLIENTS, DURATION = 200, 60


def measure(clients: int = CLIENTS, duration: float = DURATION) -> dict[str, str]:
    agents = shlex.join([sys.executable, "-m", "harness", "agents", "--port", "0"])
    cmd = [sys.executable, "-m", "harness", "load", "--spawn", agents, "--clients", str(clients),
           "--duration", str(duration), "--every", "3600", "--out", "faultline-out/bench-load"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 600, check=False)
    out = proc.stdout
    found = {"exit": str(proc.returncode)}
    for key, pattern in (("calls", r"calls \d+ \(([\d.]+)/s\)"), ("events", r"events \d+ \(([\d.]+)/s\)"),
                         ("p50", r"event-delivery latency[^:]*: p50 (\S+ ms|-)"),
                         ("p99", r"event-delivery latency[^;]*p99 (\S+ ms|-)"),
                         ("rss", r"harness peak RSS (\d+) MB"), ("fds", r"peak open fds (\d+)"),
                         ("fails", r"per-client checks: FAIL (\d+)")):
        m = re.search(pattern, out)
        found[key] = m.group(1) if m else "?"
    if proc.returncode not in (0, 1):
        found["error"] = (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]
    return found


def main() -> None:
    print(f"load: faultline load, {CLIENTS} clients for {DURATION}s against the reference agents "
          f"(harness peak RSS target <= {TARGET_MB:.0f} MB)")
    try:
        f = measure()
    except Exception as exc:  # noqa: BLE001 - a figure that could not be taken is reported, not raised
        print(f"  could not measure: {exc}")
        return
    rss = float(f["rss"]) if f["rss"].isdigit() else None
    verdict = "?" if rss is None else "met" if rss <= TARGET_MB else "NOT met"
    print(f"  calls {f['calls']}/s  events {f['events']}/s  event-delivery p50 {f['p50']} p99 {f['p99']}  "
          f"peak RSS {f['rss']} MB [{verdict}]  peak fds {f['fds']}  FAIL {f['fails']}  exit {f['exit']}"
          + (f"  ({f['error']})" if "error" in f else ""))


if __name__ == "__main__":
    main()
