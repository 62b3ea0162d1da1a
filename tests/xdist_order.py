"""The order of the collection under pytest-xdist's worksteal (tests/conftest.py applies it): worksteal hands
worker i of W the i-th contiguous share of the collection at the start, so the slow tests (`@pytest.mark.slow`)
are dealt one per share, at its head: they start at once side by side, and no share ends with one."""

from __future__ import annotations

import pytest


def shares(count: int, workers: int) -> list[int]:
    """The sizes of the initial shares worksteal gives `workers` idle workers of `count` tests."""
    sizes, left = [], count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def dealt(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The collection reordered: share k starts with every W-th slow test (from the k-th), then the others in
    their order."""
    slow = [i for i in items if i.get_closest_marker("slow")]
    rest = iter([i for i in items if not i.get_closest_marker("slow")])
    out: list[pytest.Item] = []
    for k, size in enumerate(shares(len(items), workers)):
        head = slow[k::workers]
        out += head + [i for _, i in zip(range(size - len(head)), rest, strict=False)]
    return out + list(rest)
