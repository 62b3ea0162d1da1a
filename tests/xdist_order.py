"""The order of the collection under pytest-xdist's worksteal (tests/conftest.py applies it): worksteal hands
worker i of W the i-th contiguous share of the collection at the start, so the slow tests (`@pytest.mark.slow`)
are dealt one per share, at its head: they start at once side by side, and no share ends with one. The tests of
a module marked `together` (they share one expensive session fixture, tests/once.py) are dealt as one unit at
the head of a share, after its slow test and from the last share backwards (the first shares hold the first
slow tests), so one worker computes that fixture and the others seldom wait on it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest


def shares(count: int, workers: int) -> list[int]:
    """The sizes of the initial shares worksteal gives `workers` idle workers of `count` tests."""
    sizes, left = [], count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def groups(items: Sequence[pytest.Item]) -> list[list[pytest.Item]]:
    """The `together` tests, one list per module, in their order."""
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("together") and not item.get_closest_marker("slow"):
            by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    return list(by_module.values())


def dealt(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The collection reordered: share k starts with every W-th slow test (from the k-th) and the `together`
    groups dealt to it (the first group to the last share), then the others in their order."""
    slow = [i for i in items if i.get_closest_marker("slow")]
    heads: list[list[pytest.Item]] = [list(slow[k::workers]) for k in range(workers)]
    for g, group in enumerate(groups(items)):
        heads[workers - 1 - g % workers] += group
    headed = {id(i) for head in heads for i in head}
    rest = iter([i for i in items if id(i) not in headed])
    out: list[pytest.Item] = []
    for head, size in zip(heads, shares(len(items), workers), strict=True):
        out += head + [i for _, i in zip(range(size - len(head)), rest, strict=False)]
    return out + list(rest)
