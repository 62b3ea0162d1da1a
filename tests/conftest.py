"""Shared fixtures. Tests are async via anyio's pytest plugin on asyncio.

Under pytest-xdist (`nox -s tests` runs `-n auto --dist worksteal`) the slow tests (`@pytest.mark.slow`) come
first in each worker's share: worksteal hands worker i of W the i-th contiguous share of the collection at the
start, so the long tests are dealt one per share, start at once side by side, and no share ends with one (the
other workers steal what is left of a busy worker's share, never a test already running)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        items[:] = dealt(items, workers)
