"""Shared fixtures. Tests are async via anyio's pytest plugin on asyncio.

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        items[:] = dealt(items, workers)
