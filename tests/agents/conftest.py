"""Fixtures for the reference agents' tests: in-process servers and spawned `faultline agents`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from reference_agents.server import running_agents


@pytest.fixture
async def agents_url() -> AsyncIterator[str]:
    async with running_agents() as url:
        yield url
