"""Fixtures of the `faultline call` tests (host_terminal.py has the helpers)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from host_terminal import FAULTLINE, TMUX, Agents, Tmux


@pytest.fixture(scope="session")
def agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Agents]]:
    """`agents(*flags)`: the reference agents started with those flags, one server per set of flags for the
    session (every call makes its own bookings, reports and sessions: the tests share nothing else)."""
    started: dict[tuple[str, ...], Agents] = {}
    logs = tmp_path_factory.mktemp("agents")

    def start(*args: str) -> Agents:
        if args not in started:
            started[args] = Agents(logs / f"agents-{len(started)}.log", *args)
        return started[args]

    yield start
    for a in started.values():
        a.stop()


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[[list[str]], Tmux]]:
    if not os.path.exists(TMUX):
        pytest.skip("tmux is not installed")
    opened: list[Tmux] = []

    def open_(args: list[str]) -> Tmux:
        t = Tmux([*FAULTLINE, "call", *args], tmp_path)
        opened.append(t)
        return t

    yield open_
    for t in opened:
        t.kill()
