"""Shared fixtures. Tests are async via anyio's pytest plugin on asyncio.

`-n auto` is one and a half workers per core (`auto_workers`; PYTEST_XDIST_AUTO_NUM_WORKERS still decides when
set): the tests mostly wait on the servers they start, so one worker per core left the cores idle. Measured on
2 cores, the whole suite: 2 workers 289 s with the cores 44% idle (326 cpu-s busy), 3 workers 207 s (315 cpu-s
busy, 24% idle).

Under pytest-xdist (`nox -s tests` runs `-n auto --dist worksteal`) the slow tests (`@pytest.mark.slow`) come
first in each worker's share: worksteal hands worker i of W the i-th contiguous share of the collection at the
start, so the long tests are dealt one per share, start at once side by side, and no share ends with one (the
other workers steal what is left of a busy worker's share, never a test already running)."""

from __future__ import annotations

import os

import pytest
from xdist_order import dealt


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def auto_workers(cores: int) -> int:
    """`-n auto`'s workers on `cores` cores: 3 on 2, 6 on 4, at least 2."""
    return max(2, cores * 3 // 2)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of it
    return auto_workers(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        items[:] = dealt(items, workers)
