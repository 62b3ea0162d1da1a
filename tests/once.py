"""A session fixture's value computed once per test run instead of once per pytest-xdist worker: the first
worker to need it computes it under a file lock in the run's shared temporary folder and leaves it pickled
there; a worker that needs it later (a stolen test of the same module) reads it, waiting on the lock while it is
being computed. Without xdist it is an ordinary session value."""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def once_per_run(factory: pytest.TempPathFactory, name: str, compute: Callable[[], T]) -> T:
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, every worker's basetemp (popen-gwN) is in it
    value_file = root / f"once-{name}.pickle"
    with open(root / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if value_file.exists():
                value: T = pickle.loads(value_file.read_bytes())
                return value
            value = compute()
            partial = value_file.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(value))
            partial.rename(value_file)
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
