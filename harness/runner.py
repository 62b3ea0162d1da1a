"""The runner: puts the fault proxy in front of a target, plays scenarios through recording
clients, and hands each finished history to the checks.

scenario -> runner -> client <-> proxy <-> server -> history -> checks -> report
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from harness import __version__
from harness.calibration import Calibration, calibrate, needed, scaled_deadline
from harness.checks import run_checks
from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.client.session import READ_TIMEOUT
from harness.discovery.preflight import Preflight, preflight, unknown_tool_answer
from harness.errors import HarnessError
from harness.history import Fault, History, Meta, Verdict
from harness.profiles import Profile
from harness.proxy.client import ExtensionUnavailable, ProxyClient, embedded_proxy
from harness.report.status import scenario_status, shown
from harness.revisions import Revision
from harness.targets import Target
from scenarios.api import Client, NotApplicable, Scenario, ScenarioContext, SdkClient

PROXY_NAME = "faultline-target"


@dataclass
class RunConfig:
    scenarios: list[Scenario]
    revisions: tuple[Revision, ...]
    profile: Profile
    proxy: str = "embedded"  # or the URL of a real Toxiproxy API
    time_scale: float = 1.0
    scenario_deadline: float = 60.0  # seconds per scenario, before scaling
    out_dir: Path | None = None  # histories are saved here when set
    # measured by the Rig before the scenarios (harness/calibration.py); one given is kept (the fuzzer's workers: one
    # measure of a command serves its other instances)
    calibration: Calibration | None = None
    jobs: int = 1  # scenario runs at once (harness/parallel.py); 1: one after another
    # with jobs > 1: a run that restarts a spawned target gets a twin, the same command started again for it
    # alone; only for a command whose instances share nothing (no fixed port, no store path: demo, bench)
    twins: bool = False


@dataclass
class ScenarioResult:
    scenario: str
    revision: str
    verdicts: list[Verdict]
    history: History
    wall: float
    reason: str = ""  # why NOT-APPLICABLE / ERROR at scenario level
    history_path: Path | None = None
    exercises: tuple[str, ...] = ()
    quiet: bool = False  # reported once for its whole revision (the server does not speak it), not one by one

    @property
    def status(self) -> str:
        """PASS only if a check the scenario targets passed (harness/report/status.py)."""
        return scenario_status(self.verdicts, self.exercises)


class _Toxic:
    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx, self.name = ctx, name

    async def remove(self) -> None:
        await self.ctx.proxy.remove_toxic(PROXY_NAME, self.name)
        self.ctx.history.append(Fault(action="remove", proxy=PROXY_NAME, toxic={"name": self.name}))


class Context(ScenarioContext):
    """The ScenarioContext the scenarios see (scenarios/api.py): declared, so mypy holds it to the protocol."""

    revision: Revision
    time_scale: float

    def __init__(self, *, revision: Revision, history: History, proxy: ProxyClient, base_url: str,
                 target: Target, profile: Profile, time_scale: float, on_restart: Callable[[], Any],
                 calibrated: float | None = None, quiet: float | None = None, run: str = "") -> None:
        self.revision = revision
        self.run = run  # "scenario@revision-<unique>": what makes a counted job (the effect role's) this run's own
        self.history = history
        self.proxy = proxy
        self.base_url = base_url
        self.target = target
        self.profile = profile
        self.time_scale = time_scale
        self._on_restart = on_restart
        self._toxics = 0
        self._budget = calibrated  # seconds a disturbed call of the scenario's family may take (calibration)
        self._quiet = quiet  # the clients' read timeout, derived by calibration (SILENCE_TAG), else READ_TIMEOUT
        self.scenario_scope: anyio.CancelScope | None = None  # the scenario's deadline (_run_one)

    def role(self, name: str) -> tuple[str, dict[str, Any]]:
        role = self.profile.role(name)
        if role is None:
            raise NotApplicable(f"profile {self.profile.name!r} has no {name!r} role")
        args = dict(role.arguments)
        if isinstance(args.get("job"), str) and self.run:  # the counts of a job are this run's own: runs at once
            args["job"] = f"{args['job']}@{self.run}"  # (-j N), or earlier runs on the same target (a fuzzer's
            # examples, all named `fuzz`), never count each other's calls
        return role.tool, args

    def client(self, name: str = "A", *, answers: Answers | None = None, capabilities: dict[str, Any] | None = None,
               tasks: bool = False) -> Client:
        """The revision's wire client (harness/client/factory.py) through the proxy."""
        return wire_client(self.base_url, self.history, revision=self.revision, client=name,
                           answers=answers or Answers(), capabilities=capabilities, tasks=tasks,
                           timeout=READ_TIMEOUT * self.time_scale, time_scale=self.time_scale, quiet=self._quiet)

    def sdk_client(self, name: str = "A", *, answers: Answers | None = None,
                   timeout: float | None = None) -> SdkClient:
        """The official SDK's `Client` under a recording transport (harness/client/sdk.py)."""
        from harness.client.sdk import SdkClient as Sdk

        return Sdk(self.base_url, self.history, revision=self.revision, client=name, answers=answers or Answers(),
                   timeout=timeout if timeout is not None else READ_TIMEOUT * self.time_scale)

    async def fault(self, type: str, attributes: dict[str, Any], **kw: Any) -> _Toxic:
        self._toxics += 1
        name = kw.pop("name", None) or f"{type}-{self._toxics}"
        try:
            await self.proxy.add_toxic(PROXY_NAME, type, attributes, name=name, **kw)
        except ExtensionUnavailable as exc:  # a faultline.* toxic asked of a real Toxiproxy
            raise NotApplicable(str(exc)) from None
        self.history.append(Fault(action="add", proxy=PROXY_NAME,  # the stream always: the proxy's default if unsaid
                                  toxic={"name": name, "type": type, "stream": kw.get("stream", "downstream"),
                                         "attributes": attributes, **kw}))
        return _Toxic(self, name)

    async def network(self, up: bool) -> None:
        await self.proxy.set_enabled(PROXY_NAME, up)
        self.history.append(Fault(action="up" if up else "down", proxy=PROXY_NAME))

    async def restart_target(self) -> None:
        why = self.profile.not_restartable()
        if why:
            raise NotApplicable(why)
        if not self.target.can_restart:
            raise NotApplicable("the target cannot be restarted (run it with --spawn)")
        self.history.append(Fault(action="restart", detail="SIGKILL, then the same command again"))
        # Whole or not at all: a restart cut by the scenario's deadline after its SIGKILL left no server behind the
        # proxy for every scenario after it (it is bounded by the target's start-up timeout). And the harness's own
        # restart is not the scenario's time: its deadline is held meanwhile, then moved on by what the restart took.
        scope, began = self.scenario_scope, anyio.current_time()
        held = scope.deadline if scope is not None else math.inf
        if scope is not None:
            scope.deadline = math.inf
        try:
            with anyio.CancelScope(shield=True):
                await self._on_restart()
        finally:
            if scope is not None:
                scope.deadline = held + (anyio.current_time() - began)

    def note(self, text: str, **data: Any) -> None:
        self.history.note(text, **data)

    def deadline(self, seconds: float) -> float:
        """`seconds` derived from the calibration of the scenario's family, floor and ceiling applied
        (harness/calibration.py), times the time scale."""
        return scaled_deadline(seconds, self._budget, self.time_scale)

    def now(self) -> float:
        return self.history.now()


@contextlib.asynccontextmanager
async def proxy_backend(spec: str) -> AsyncIterator[ProxyClient]:
    """The embedded proxy, or a real Toxiproxy at `spec` (its API URL)."""
    if spec == "embedded":
        async with embedded_proxy() as client:
            yield client
        return
    client = ProxyClient(spec)
    try:
        yield client
    finally:
        await client.aclose()


async def _point_proxy(proxy: ProxyClient, upstream: str, listen: str | None) -> str:
    with contextlib.suppress(Exception):
        await proxy.delete_proxy(PROXY_NAME)
    model = await proxy.create_proxy(PROXY_NAME, upstream=upstream, listen=listen or "127.0.0.1:0")
    return str(model.listen)


def _import_sdk_client(scenarios: list[Scenario]) -> threading.Thread | None:
    """The official SDK's client (1.5 s of imports here) loaded in a thread while the target starts, when a
    selected scenario drives it (tagged `sdk`): imported at its first use instead, under -j N it would hold the
    event loop, and with it every scenario run under way, for as long. (A thread, not a task: an error of the
    start then reaches the caller as itself, not inside an exception group.)"""
    if not any("sdk" in sc.tags for sc in scenarios):
        return None
    importer = threading.Thread(target=importlib.import_module, args=("harness.client.sdk",), daemon=True)
    importer.start()
    return importer


class Rig:
    """A started target behind a fault proxy, ready to play scenarios one after another."""

    def __init__(self, target: Target, config: RunConfig) -> None:
        self.target = target
        self.config = config
        self._stack = contextlib.AsyncExitStack()
        self._reviving = anyio.Lock()  # under -j N several runs may find the target down at once: one restarts it
        self.proxy: ProxyClient | None = None
        self.listen = ""
        self.preflight: Preflight | None = None

    async def __aenter__(self) -> Rig:
        try:
            importer = _import_sdk_client(self.config.scenarios)
            await self.target.start()
            self._stack.push_async_callback(self.target.stop)
            self.preflight = await self._preflight()
            self.config = dataclasses.replace(self.config, profile=self.preflight.profile)
            if self.config.calibration is None:
                self.config = dataclasses.replace(self.config, calibration=await self._calibrate())
            self.proxy = await self._stack.enter_async_context(proxy_backend(self.config.proxy))
            self.listen = await _point_proxy(self.proxy, self.target.upstream, None)
            if importer is not None:
                await anyio.to_thread.run_sync(importer.join)
        except BaseException:  # failed or interrupted half-way: what was started stops (no __aexit__ comes)
            await self.__aexit__()
            raise
        return self

    async def _preflight(self) -> Preflight:
        """Before any scenario: the revisions the server speaks and the profile checked against its tools."""
        history = History()
        try:
            return await preflight(self.target.url, self.config.profile, self.config.revisions, history,
                                   scenarios=self.config.scenarios, timeout=READ_TIMEOUT * self.config.time_scale)
        finally:
            if self.config.out_dir is not None:
                history.save(self.config.out_dir / "histories" / "preflight.jsonl")

    async def _calibrate(self) -> Calibration:
        """Each role's tool once, undisturbed, at each revision the selected scenarios play it."""
        assert self.preflight is not None
        pf, cfg = self.preflight, self.config
        pairs = needed(cfg.scenarios, cfg.revisions, cfg.profile, lambda sc, rev: pf.skip(sc, rev) is None)
        history = History()
        try:
            cal = await calibrate(self.target.url, cfg.profile, pairs, history, time_scale=cfg.time_scale)
        finally:
            if cfg.out_dir is not None:
                history.save(cfg.out_dir / "calibration.jsonl")  # beside histories/: no scenario of its own
        if pairs:
            pf.notices.append((cal.summary(), None))
        return cal

    async def __aexit__(self, *exc: object) -> None:
        with anyio.CancelScope(shield=True):  # a cancelled run still stops its server and proxy
            await self._stack.aclose()

    async def restart(self) -> None:
        assert self.proxy is not None
        await self.target.restart()
        await _point_proxy(self.proxy, self.target.upstream, self.listen)

    async def serving(self) -> str:
        """Before a scenario: a spawned target that is no longer running (it crashed, or a restart failed) is
        started again, so no scenario is judged against a dead server; why it cannot be, or ""."""
        if not self.target.can_restart or self.target.serving:
            return ""
        async with self._reviving:
            if self.target.serving:  # another run started it again while this one waited
                return ""
            try:
                await self.restart()
            except HarnessError as exc:
                return f"the target is not running and could not be started again: {exc}"
        return ""

    async def run(self, sc: Scenario, rev: Revision, *, own_proxy: bool = False) -> ScenarioResult:
        """One scenario run. `own_proxy`: through an embedded proxy of its own (so its faults reach no other
        run's traffic), and a restart of the target raises RestartNeedsExclusive instead of happening."""
        assert self.proxy is not None and self.preflight is not None
        why = self.preflight.skip(sc, rev)
        if why:
            v = _scenario_verdict(sc, rev, "NOT-APPLICABLE", why)
            return ScenarioResult(sc.name, rev.value, [v], History(), 0.0, why, exercises=sc.checks,
                                  quiet=self.preflight.unspoken(rev) is not None)
        down = await self.serving()
        if down:
            return ScenarioResult(sc.name, rev.value, [_scenario_verdict(sc, rev, "ERROR", down)], History(), 0.0,
                                  down, exercises=sc.checks)
        if not own_proxy:
            return await _run_one(sc, rev, self.target, self.proxy, self.listen, self.config, self.restart)
        return await run_isolated(sc, rev, self.target, self.config, may_restart=False)


class RestartNeedsExclusive(BaseException):  # noqa: N818 - a signal to the scheduler, not an error of the server
    """A scenario run sharing the target asked to restart it: the scheduler runs it again alone
    (a BaseException, so neither the scenario nor the runner reports it as the run's ERROR)."""


async def run_isolated(sc: Scenario, rev: Revision, target: Target, config: RunConfig, *,
                       may_restart: bool) -> ScenarioResult:
    """One run through an embedded proxy of its own, pointed at `target` (started). A restart restarts
    `target` if `may_restart` (the run has it to itself), else raises RestartNeedsExclusive."""
    async with embedded_proxy() as proxy:
        listen = await _point_proxy(proxy, target.upstream, None)

        async def restart() -> None:
            if not may_restart:
                raise RestartNeedsExclusive
            await target.restart()
            await _point_proxy(proxy, target.upstream, listen)

        return await _run_one(sc, rev, target, proxy, listen, config, restart)


async def run_suite(target: Target, config: RunConfig,
                    on_result: Callable[[ScenarioResult], None] | None = None,
                    on_start: Callable[[Scenario, Revision], None] | None = None,
                    on_notice: Callable[[str, int], None] | None = None,
                    on_finish: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    """Every scenario at every revision. `on_notice(line, n)`: what the preflight found, once, before the
    scenarios (n: how many scenario runs the line stands for, which are then not reported one by one).
    With config.jobs > 1 (harness/parallel.py) `on_finish` hears of a run as it ends, `on_result` in the
    scenario order."""
    results: list[ScenarioResult] = []
    async with Rig(target, config) as rig:
        assert rig.preflight is not None
        for line, rev in rig.preflight.notices:
            if on_notice:
                on_notice(line, len(config.scenarios) if rev is not None else 0)
        if config.jobs > 1 and config.proxy == "embedded":
            from harness.parallel import run_parallel

            return await run_parallel(rig, on_result, on_start, on_finish)
        if config.jobs > 1 and on_notice:
            on_notice(f"-j {config.jobs}: one Toxiproxy ({config.proxy}) for every run, so they run one at a time", 0)
        for sc in config.scenarios:
            for rev in config.revisions:
                if rig.preflight.unspoken(rev):
                    results.append(await rig.run(sc, rev))
                    continue
                if on_start:
                    on_start(sc, rev)
                result = await rig.run(sc, rev)
                results.append(result)
                if on_result:
                    on_result(result)
    return results


def _leaf(exc: BaseException) -> BaseException:
    """The first exception inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _scenario_verdict(sc: Scenario, rev: Revision, status: str, reason: str) -> Verdict:
    return Verdict(scenario=sc.name, check=f"scenario:{sc.name}", requirement="harness.scenario",
                   revision=rev.value, level="MUST", status=status, message=reason)  # type: ignore[arg-type]


async def _run_one(sc: Scenario, rev: Revision, target: Target, proxy: ProxyClient, listen: str,
                   config: RunConfig, restart: Callable[[], Any]) -> ScenarioResult:
    history = History()
    history.append(Meta(scenario=sc.name, revision=rev.value, target=target.description or target.url,
                        profile=config.profile.name, harness_version=__version__, started_at=time.time()))
    started = time.monotonic()
    if rev not in sc.revisions:
        reason = f"scenario applies to {', '.join(r.value for r in sc.revisions)} only"
        v = _scenario_verdict(sc, rev, "NOT-APPLICABLE", reason)
        return ScenarioResult(sc.name, rev.value, [v], history, 0.0, reason, exercises=sc.checks)
    missing = [r for r in sc.roles if config.profile.role(r) is None]
    if missing:
        reason = f"profile {config.profile.name!r} has no role {', '.join(missing)}"
        v = _scenario_verdict(sc, rev, "NOT-APPLICABLE", reason)
        return ScenarioResult(sc.name, rev.value, [v], history, 0.0, reason, exercises=sc.checks)
    cal = config.calibration
    failed = cal.failure(sc, rev) if cal else None
    if failed:  # a call of its family never finished undisturbed: no deadline of its own waited out
        v = _scenario_verdict(sc, rev, "ERROR", failed)
        history.append(v)
        return ScenarioResult(sc.name, rev.value, [v], history, time.monotonic() - started, failed,
                              exercises=sc.checks)
    base_url = f"http://{listen}{target.path}"
    ctx = Context(revision=rev, history=history, proxy=proxy, base_url=base_url, target=target,
                  profile=config.profile, time_scale=config.time_scale, on_restart=restart,
                  calibrated=cal.budget(sc, rev) if cal else None, run=f"{sc.name}@{rev.value}-{uuid.uuid4().hex[:8]}",
                  quiet=quiet * config.time_scale if cal and (quiet := cal.quiet(sc, rev)) else None)
    reason = ""
    extra: list[Verdict] = []
    try:
        with anyio.fail_after(config.scenario_deadline * config.time_scale) as ctx.scenario_scope:
            await sc.run(ctx)
    except NotApplicable as exc:
        reason = str(exc)
        extra.append(_scenario_verdict(sc, rev, "NOT-APPLICABLE", reason))
    except ExceptionGroup as group:  # a scenario's task group wraps what its body raised
        na = group.subgroup(NotApplicable)
        if na is not None and na.split(NotApplicable)[1] is None:
            reason = str(_leaf(na))
            extra.append(_scenario_verdict(sc, rev, "NOT-APPLICABLE", reason))
        else:
            leaf = _leaf(group)
            reason = f"{type(leaf).__name__}: {leaf}"
            extra.append(_scenario_verdict(sc, rev, "ERROR", reason))
    except TimeoutError:
        reason = f"scenario did not finish within {config.scenario_deadline * config.time_scale:.0f}s"
        extra.append(_scenario_verdict(sc, rev, "ERROR", reason))
    except HarnessError as exc:
        reason = str(exc)
        extra.append(_scenario_verdict(sc, rev, "ERROR", reason))
    except Exception as exc:  # noqa: BLE001 - a scenario bug or a hostile server: reported, never raised
        reason = f"{type(exc).__name__}: {exc}"
        extra.append(_scenario_verdict(sc, rev, "ERROR", reason))
    finally:
        with contextlib.suppress(Exception):
            with anyio.fail_after(5):
                await proxy.reset()
    unknown = unknown_tool_answer(history, {t for r in sc.roles if (t := _role_tool(config.profile, r))})
    if unknown:  # checks that passed on a tool that is not there passed on nothing
        verdicts = [_scenario_verdict(sc, rev, "ERROR", unknown)]
        reason = unknown
    elif extra and extra[0].status == "NOT-APPLICABLE":
        verdicts = extra
    else:
        verdicts = [v for v in run_checks(history, scenario=sc.name) if v.status != "NOT-APPLICABLE"] + extra
    for v in verdicts:
        history.append(v)
    result = ScenarioResult(sc.name, rev.value, verdicts, history, time.monotonic() - started, reason,
                            exercises=sc.checks)
    if config.out_dir is not None:
        result.history_path = history.save(config.out_dir / "histories" / f"{sc.name}@{rev.value}.jsonl")
    return result


def _role_tool(profile: Profile, role: str) -> str | None:
    found = profile.role(role)
    return found.tool if found else None


def relevant(result: ScenarioResult) -> list[Verdict]:
    """The verdicts worth showing: all but NOT-OBSERVED ones of requirements the scenario does not exercise."""
    return shown(result.verdicts, result.exercises)


__all__ = ["RestartNeedsExclusive", "Rig", "run_isolated", "RunConfig", "ScenarioResult", "relevant", "run_suite"]
