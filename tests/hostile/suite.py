"""The whole scenario suite, both revisions, against one hostile behaviour (benchmarks/hostile.py and
tests/hostile/test_suite.py): every role the scenarios know names a tool of the hostile server, which plays
the behaviour for any tools/call."""

from __future__ import annotations

from harness.profiles import Profile, Role
from harness.revisions import ALL
from harness.runner import RunConfig
from scenarios.api import ROLES, all_scenarios

FULL_PROFILE = Profile(name="hostile-all-roles", roles={role: Role(f"{role}_tool", {}) for role in ROLES})


def suite_config(*, time_scale: float = 1.0, scenarios: list[str] | None = None) -> RunConfig:
    """Every scenario (or those named), both revisions, the roles all filled."""
    chosen = [s for s in all_scenarios() if scenarios is None or s.name in scenarios]
    return RunConfig(scenarios=chosen, revisions=ALL, profile=FULL_PROFILE, time_scale=time_scale)
