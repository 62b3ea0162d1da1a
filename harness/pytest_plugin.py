"""Faultline as a pytest plugin (entry point `pytest11`).

    pytest --faultline-target http://127.0.0.1:8000/mcp        # or --faultline-spawn "CMD" [--faultline-url URL]

collects every scenario at each revision as a test (`faultline::resume-each-boundary@2025-11-25`);
a FAIL shows its witness. With a target given, only the Faultline items run (your other tests are
deselected) unless `--faultline-keep-tests`. Filter with pytest's own `-k`.

Fixtures for users who write their own scenarios: `fault_proxy` (a ProxyClient on the embedded
proxy, or $TOXIPROXY_URL), `reference_agents` (URL of the reference agents, started in-process),
`recorder` (a fresh History). Helpers: `collect_repros(folder)` and `assert_repro_fixed(path)` turn
a folder of `faultline fuzz` repro files into regression tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("faultline", "Faultline: MCP fault-injection scenarios")
    g.addoption("--faultline-target", metavar="URL", help="run Faultline's scenarios against this MCP endpoint")
    g.addoption("--faultline-spawn", metavar="CMD", help="start this server command and run the scenarios")
    g.addoption("--faultline-url", metavar="URL",
                help="with --faultline-spawn: the endpoint the command serves, for a server that prints no URL")
    g.addoption("--faultline-profile", default="reference", help="reference | conformance-fixtures | FILE")
    g.addoption("--faultline-revision", default="all", help="2025-11-25 | 2026-07-28 | all")
    g.addoption("--faultline-keep-tests", action="store_true", help="also run the other collected tests")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--faultline-target") or config.getoption("--faultline-spawn"))


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
            from harness.revisions import parse
            from harness.runner import Rig, RunConfig
            from harness.targets import SpawnTarget, UrlTarget

            opt = self.config.getoption
            target = UrlTarget(opt("--faultline-target")) if opt("--faultline-target") else SpawnTarget(
                opt("--faultline-spawn"), url=opt("--faultline-url"))
            run_config = RunConfig(scenarios=[], revisions=parse(opt("--faultline-revision")),
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
        bad = [v for v in self.result.verdicts if v.status in ("FAIL", "ERROR")]
        if bad:
            raise ScenarioFailed(self.result, bad)
        if self.result.status in ("NOT-APPLICABLE", "NOT-OBSERVED"):
            pytest.skip(f"{self.result.status}: {self.result.reason or 'nothing to check'}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int, str]:
        return "faultline", 0, self.name


class ScenarioFailed(Exception):
    def __init__(self, result: Any, bad: list[Any]) -> None:
        lines = [f"{result.scenario}@{result.revision}: {len(bad)} finding(s)"]
        for v in bad:
            lines.append(f"  {v.status} {v.check} [{v.requirement}, {v.level}]: {v.message}")
            for seq in v.witness:
                if 0 <= seq < len(result.history):
                    lines.append(f"    witness #{seq}: {result.history[seq].model_dump_json()[:400]}")
        super().__init__("\n".join(lines))


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--faultline-url") and not config.getoption("--faultline-spawn"):
        raise pytest.UsageError("--faultline-url goes with --faultline-spawn")
    if not _enabled(config):
        return
    from harness.revisions import parse
    from scenarios.api import all_scenarios

    rig = _Rig(config)
    config._faultline_rig = rig  # type: ignore[attr-defined]
    ours = [ScenarioItem.from_parent(session, name=f"faultline::{sc.name}@{rev.value}", scenario=sc, revision=rev,
                                     rig=rig)
            for sc in all_scenarios() for rev in parse(config.getoption("--faultline-revision"))]
    keyword = config.getoption("keyword")
    if keyword:
        from _pytest.mark.expression import Expression

        expr = Expression.compile(keyword)
        ours = [i for i in ours if expr.evaluate(lambda s, i=i, **_: s in i.name)]  # type: ignore[arg-type,misc]
    if not config.getoption("--faultline-keep-tests"):
        config.hook.pytest_deselected(items=list(items))
        items.clear()
    items.extend(ours)


def pytest_sessionfinish(session: pytest.Session) -> None:
    rig = getattr(session.config, "_faultline_rig", None)
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
