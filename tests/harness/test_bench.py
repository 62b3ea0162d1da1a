"""`python -m benchmarks`: each benchmark's figures (what its main() returns) in one closing table, side by side,
in the headline order, and a heartbeat line whenever the run would be silent for its interval."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from pathlib import Path

from harness.heartbeat import Heartbeat

ROOT = str(Path(__file__).resolve().parents[2])  # benchmarks/ is not an installed package: run from the checkout
if ROOT not in sys.path:
    sys.path.append(ROOT)
bench = importlib.import_module("benchmarks.__main__")


def test_figures_side_by_side_in_the_headline_order_and_a_heartbeat_in_silences(monkeypatch, capsys):
    quiet = threading.Event()

    def fake(name: str) -> types.SimpleNamespace:
        def main() -> dict[str, str] | None:
            if name == "suite":
                quiet.wait(0.5)  # silent for several heartbeat intervals
                return {"suite -j 1": "40.0 s", "suite -j 2": "20.0 s, 2.00x faster than -j 1"}
            return {"official 0.1.16": "40 checks in 2.0 s = 20.0 checks/s"} if name == "official" else None
        return types.SimpleNamespace(main=main)

    monkeypatch.setattr(importlib, "import_module", lambda module: fake(module.rsplit(".", 1)[1]))
    monkeypatch.setattr(bench, "Heartbeat", lambda status, stream: Heartbeat(status, every=0.1, stream=stream))
    assert bench.main(["official", "proxy", "suite"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index("bench figures, side by side:") + 1:]
    assert [ln.split()[0] + " " + ln.split()[1] for ln in table] == ["suite -j", "suite -j", "official 0.1.16"]
    assert any(ln.startswith("  ... bench suite:") for ln in lines), lines

