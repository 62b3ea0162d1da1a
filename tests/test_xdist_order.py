"""tests/xdist_order.py's order under pytest-xdist: every test kept once, the slow ones dealt one per worker's
initial worksteal share, each at the head of its share, and a `together` module's tests in one share, after
its slow head; and tests/once.py's value computed once however many workers ask for it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from once import once_per_run
from xdist_order import dealt, shares


class Item:
    def __init__(self, name: str, slow: bool = False, module: str = "m.py", together: bool = False) -> None:
        self.name, self.slow, self.together, self.nodeid = name, slow, together, f"{module}::{name}"

    def get_closest_marker(self, name: str) -> object:
        return object() if (name == "slow" and self.slow) or (name == "together" and self.together) else None


def test_shares_are_worksteals_initial_split():
    assert shares(801, 2) == [400, 401] and shares(10, 3) == [3, 3, 4] and sum(shares(7, 4)) == 7


def test_slow_tests_head_each_share_and_nothing_is_lost():
    items = [Item(f"t{i}", slow=i in (3, 5, 90)) for i in range(100)]
    out = dealt(items, 2)  # type: ignore[arg-type]
    assert sorted(i.name for i in out) == sorted(i.name for i in items)
    assert [i.name for i in out[:2]] == ["t3", "t90"] and out[50].name == "t5"
    assert [i.name for i in out if not i.slow] == [i.name for i in items if not i.slow]  # the rest keep their order


def test_a_together_module_is_one_share_after_its_slow_head():
    items = [Item(f"t{i}", slow=i in (3, 5)) for i in range(60)]
    items[20:30] = [Item(f"g{i}", module="g.py", together=True) for i in range(10)]
    out = dealt(items, 2)  # type: ignore[arg-type]
    assert sorted(i.name for i in out) == sorted(i.name for i in items)
    assert out[0].name == "t3" and out[30].name == "t5"  # the second share: its slow test, then the group
    assert [i.name for i in out[31:41]] == [f"g{i}" for i in range(10)]
    assert not any(i.together for i in out[:30])


class Factory:
    def __init__(self, base) -> None:  # noqa: ANN001 - a Path
        self.base = base

    def getbasetemp(self):  # noqa: ANN201
        return self.base


def test_once_per_run_computes_once_for_every_worker(tmp_path, monkeypatch):
    monkeypatch.setitem(os.environ, "PYTEST_XDIST_WORKER", "gw0")
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"rows": 16}

    workers = [Factory(tmp_path / f"popen-gw{k}") for k in range(4)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda f: once_per_run(f, "matrix", compute), workers))  # type: ignore[arg-type]
    assert got == [{"rows": 16}] * 4 and calls == [1]
