"""Fixtures of the `faultline call` tests (host_terminal.py has the helpers)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from host_terminal import FAULTLINE, TMUX, Agents, Tmux


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[Callable[..., Agents]]:
    started: list[Agents] = []

    def start(*args: str) -> Agents:
        a = Agents(tmp_path / f"agents-{len(started)}.log", *args)
        started.append(a)
        return a

    yield start
    for a in started:
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
