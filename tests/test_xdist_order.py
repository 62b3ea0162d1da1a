"""tests/xdist_order.py's order under pytest-xdist: every test kept once, the slow ones dealt one per worker's
initial worksteal share, each at the head of its share."""

from __future__ import annotations

from xdist_order import dealt, shares


class Item:
    def __init__(self, name: str, slow: bool) -> None:
        self.name, self.slow = name, slow

    def get_closest_marker(self, name: str) -> object:
        return object() if name == "slow" and self.slow else None


def test_shares_are_worksteals_initial_split():
    assert shares(801, 2) == [400, 401] and shares(10, 3) == [3, 3, 4] and sum(shares(7, 4)) == 7


def test_slow_tests_head_each_share_and_nothing_is_lost():
    items = [Item(f"t{i}", slow=i in (3, 5, 90)) for i in range(100)]
    out = dealt(items, 2)  # type: ignore[arg-type]
    assert sorted(i.name for i in out) == sorted(i.name for i in items)
    assert [i.name for i in out[:2]] == ["t3", "t90"] and out[50].name == "t5"
    assert [i.name for i in out if not i.slow] == [i.name for i in items if not i.slow]  # the rest keep their order
