"""Faultline as a pytest plugin (entry point `pytest11`).

    pytest --faultline-target http://127.0.0.1:8000/mcp        # or --faultline-spawn "CMD" [--faultline-url URL]

collects every scenario at each revision as a test (`faultline::resume-each-boundary@2025-11-25`);
a FAIL shows its witness. With a target given, only the Faultline items run (your other tests are
deselected) unless `--faultline-keep-tests`. Filter with pytest's own `-k` (and `-m`).
`--faultline-strict`: a WARN (a broken SHOULD) fails its test too. `--faultline-expected-failures FILE`:
the YAML baseline `faultline run --expected-failures` takes (harness/baseline.py); a listed finding
makes its test xfail, a listed one that now passes fails its test (the baseline is stale).

Under pytest-xdist (`pytest -n 4 --faultline-spawn CMD`) the scenario tests spread over the workers and
each worker has its own rig: its own spawned target (CMD must pick its own port: `--port 0`; the worker's
id is in $PYTEST_XDIST_WORKER for anything else it must not share) and its own embedded proxy; with
`--faultline-target URL` the workers share the server, each through its own proxy. The scenarios that
restart the target carry `xdist_group("faultline-restart")`: `--dist loadgroup` runs them on one worker.

Fixtures for users who write their own scenarios: `fault_proxy` (a ProxyClient on the embedded
proxy, or $TOXIPROXY_URL), `reference_agents` (URL of the reference agents, started in-process),
`recorder` (a fresh History). Helpers: `collect_repros(folder)` and `assert_repro_fixed(path)` turn
a folder of `faultline fuzz` repro files into regression tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("faultline", "Faultline: MCP fault-injection scenarios")
    g.addoption("--faultline-target", metavar="URL", help="run Faultline's scenarios against this MCP endpoint")
    g.addoption("--faultline-spawn", metavar="CMD", help="start this server command and run the scenarios")
    g.addoption("--faultline-url", metavar="URL",
                help="with --faultline-spawn: the endpoint the command serves, for a server that prints no URL")
    g.addoption("--faultline-profile", default=None,
                help="reference | conformance-fixtures | FILE (default: reference on the reference agents, else "
                     "roles discovered from tools/list)")
    g.addoption("--faultline-revision", default="all", help="2025-11-25 | 2026-07-28 | all")
    g.addoption("--faultline-keep-tests", action="store_true", help="also run the other collected tests")
    g.addoption("--faultline-strict", action="store_true", help="a WARN (a broken SHOULD) fails its test too")
    g.addoption("--faultline-expected-failures", metavar="FILE",
                help="YAML baseline of known findings (as `faultline run --expected-failures`)")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--faultline-target") or config.getoption("--faultline-spawn"))


@dataclass
class _Settings:
    """How a scenario's verdicts become a test outcome (from the command line, read once)."""

    revisions: tuple[Any, ...]
    strict: bool = False
    expected: list[Any] = field(default_factory=list)  # harness.baseline.Expected entries


SETTINGS = pytest.StashKey[_Settings]()
RIG = pytest.StashKey["_Rig"]()
RESTART_GROUP = "faultline-restart"  # the xdist_group of the scenarios that restart the target


def restarts_target(scenario: Any) -> bool:
    """Whether the scenario kills and restarts its target (what `faultline run -k restart` selects)."""
    return "restart" in scenario.name or "restart" in scenario.tags


def pytest_configure(config: pytest.Config) -> None:
    """Reads the Faultline options once; a bad value is a usage error (one line, exit 4), never a traceback."""
    if not _enabled(config):
        return
    from harness.baseline import load_expected
    from harness.errors import UsageError
    from harness.revisions import parse

    try:
        revisions = parse(config.getoption("--faultline-revision"))
        path = config.getoption("--faultline-expected-failures")
        expected = load_expected(path, option="--faultline-expected-failures") if path else []
    except (ValueError, UsageError) as exc:
        raise pytest.UsageError(f"faultline: {exc}") from None
    config.stash[SETTINGS] = _Settings(revisions, bool(config.getoption("--faultline-strict")), expected)
    # the mark the restart scenarios carry, known even without pytest-xdist (so --strict-markers passes)
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist's --dist loadgroup keeps a group on one worker")


class _Rig:
    """One target + proxy for the whole pytest session, in a background event loop."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._cm: Any = None
        self._portal_cm: Any = None
        self.rig: Any = None
        self.portal: Any = None

    def get(self) -> tuple[Any, Any]:
        if self.rig is None:
            from anyio.from_thread import start_blocking_portal

            from harness.profiles import load_profile
            from harness.runner import Rig, RunConfig
            from harness.targets import SpawnTarget, UrlTarget

            opt = self.config.getoption
            target = UrlTarget(opt("--faultline-target")) if opt("--faultline-target") else SpawnTarget(
                opt("--faultline-spawn"), url=opt("--faultline-url"))
            run_config = RunConfig(scenarios=[], revisions=self.config.stash[SETTINGS].revisions,
                                   profile=load_profile(opt("--faultline-profile")))
            self._portal_cm = start_blocking_portal()
            self.portal = self._portal_cm.__enter__()
            self._cm = self.portal.wrap_async_context_manager(Rig(target, run_config))
            self.rig = self._cm.__enter__()
        return self.portal, self.rig

    def close(self) -> None:
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, revision: Any, rig: _Rig, **kw: Any) -> None:
        super().__init__(**kw)
        self.scenario, self.revision, self._rig = scenario, revision, rig
        self.result: Any = None

    def runtest(self) -> None:
        portal, rig = self._rig.get()
        self.result = portal.call(rig.run, self.scenario, self.revision)
        bad, known, stale = outcome(self.result, self.config.stash[SETTINGS])
        if bad or stale:
            raise ScenarioFailed(self.result, bad, stale)
        if known:
            pytest.xfail("expected failure(s) (baseline): " + ", ".join(f"{v.status} {v.check}" for v in known))
        if self.result.status in ("NOT-APPLICABLE", "NOT-OBSERVED"):
            pytest.skip(f"{self.result.status}: {self.result.reason or 'nothing to check'}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int, str]:
        return "faultline", 0, self.name


def outcome(result: Any, settings: _Settings) -> tuple[list[Any], list[Any], list[Any]]:
    """(verdicts that fail the test, findings the baseline expects, baseline entries now passing) for one
    scenario at one revision: FAIL and ERROR fail it, WARN too when strict, unless the baseline lists them."""
    from harness.baseline import judge

    j = judge([result], settings.expected)
    failing = {(s, c, rv) for s, c, rv, status in j.new_failures if status == "FAIL" or settings.strict}
    failing |= {(s, c, rv) for s, c, rv, _ in j.errors}
    listed = {(s, c, rv) for s, c, rv, _ in j.expected_failures}
    bad = [v for v in result.verdicts if (result.scenario, v.check, result.revision) in failing]
    known = [v for v in result.verdicts if (result.scenario, v.check, result.revision) in listed]
    return bad, known, list(j.stale)


class ScenarioFailed(Exception):
    def __init__(self, result: Any, bad: list[Any], stale: list[Any] | None = None) -> None:
        lines = [f"{result.scenario}@{result.revision}: {len(bad)} finding(s)"]
        for v in bad:
            lines.append(f"  {v.status} {v.check} [{v.requirement}, {v.level}]: {v.message}")
            for seq in v.witness:
                if 0 <= seq < len(result.history):
                    lines.append(f"    witness #{seq}: {result.history[seq].model_dump_json()[:400]}")
        for e in stale or []:
            lines.append(f"  stale expected failure (now passes): {e.scenario} {e.check} {e.revision or ''}".rstrip()
                         + f" (reason was: {e.reason})")
        super().__init__("\n".join(lines))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Adds the scenario items first, so that pytest's own `-k` / `-m` deselection (which runs after this
    hook) filters them like any other test."""
    if config.getoption("--faultline-url") and not config.getoption("--faultline-spawn"):
        raise pytest.UsageError("--faultline-url goes with --faultline-spawn")
    if not _enabled(config):
        return
    from scenarios.api import all_scenarios

    rig = config.stash[RIG] = _Rig(config)  # one per process: each xdist worker starts its own
    ours = [ScenarioItem.from_parent(session, name=f"faultline::{sc.name}@{rev.value}", scenario=sc, revision=rev,
                                     rig=rig)
            for sc in all_scenarios() for rev in config.stash[SETTINGS].revisions]
    for item in ours:
        if restarts_target(item.scenario):
            item.add_marker(pytest.mark.xdist_group(RESTART_GROUP))
    if not config.getoption("--faultline-keep-tests"):
        config.hook.pytest_deselected(items=list(items))
        items.clear()
    items.extend(ours)


def pytest_sessionfinish(session: pytest.Session) -> None:
    rig = session.config.stash.get(RIG, None)
    if rig is not None:
        rig.close()


# -- fixtures for users' own scenarios --------------------------------------------------------

@pytest.fixture
async def fault_proxy() -> AsyncIterator[Any]:
    from harness.proxy.client import proxy_from_env

    async with proxy_from_env() as client:
        yield client


@pytest.fixture
async def reference_agents() -> AsyncIterator[str]:
    from reference_agents.server import running_agents

    async with running_agents(step_delay=0.0) as url:
        yield url


@pytest.fixture
def recorder() -> Iterator[Any]:
    from harness.history import History

    yield History()


# -- repro files as regression tests ------------------------------------------------------------

def collect_repros(folder: str | Path) -> list[Path]:
    """The repro files in a folder, for `@pytest.mark.parametrize("repro", collect_repros(...))`."""
    return sorted(Path(folder).glob("*.json"))


def assert_repro_fixed(path: str | Path, *, target: str | None = None, spawn: str | None = None) -> None:
    """Fails (with the requirement ids) if the repro's failure still reproduces."""
    from harness.commands.replay import load_repro, repro_target, reproduces

    data = load_repro(Path(path))
    again = reproduces(data, repro_target(data, target, spawn))
    assert not again, f"{path}: still fails {', '.join(again)} ({data.get('describe', '')})"


__all__ = ["assert_repro_fixed", "collect_repros"]
