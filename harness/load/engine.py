"""A load run: the target behind the embedded fault proxy, ONE proxy listener per client (its toxics touch
its own connections only), the clients started together, live figures every few seconds, an optional SIGKILL
of a spawned target in the middle (`kill_at`), then the cross-client checks over every client's digests.

One listener per client rather than one proxy with per-connection toxics: a Toxiproxy toxic applies to a
proxy's every connection, so per-client toxics need per-client proxies; each costs one listening socket, and
the clients' connections are bounded by their own pools (measured: README, `faultline load`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.abc

from harness.errors import UsageError
from harness.load.checks import run_load_checks
from harness.load.figures import Figures
from harness.load.plan import Plan
from harness.load.workload import LoadClient, Shared
from harness.profiles import Profile
from harness.revisions import Revision
from harness.runner import Rig, RunConfig
from harness.targets import Target

REPOINT_AT_ONCE = 8  # proxy API calls in flight while the listeners are re-pointed after a restart
RAMP_PER_CLIENT_S = 0.05  # the clients' sessions open 20 a second (at most over a quarter of the run), not at once


@dataclass
class LoadConfig:
    clients: int = 20
    duration: float = 30.0
    faults: float = 0.3
    seed: int = 0
    revision: Revision = Revision.R2025
    profile: Profile | None = None
    proxy: str = "embedded"
    time_scale: float = 1.0
    kill_at: float | None = None
    every: float = 5.0  # seconds between live lines
    fail_fast: bool = False  # end the run at the first FAIL of a client's segment
    out_dir: Path | None = None


async def run_load(target: Target, profile: Profile, config: LoadConfig,
                   say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> Shared:
    if config.kill_at is not None and not target.can_restart:
        raise UsageError("--kill-at needs a target the harness can restart: run it with --spawn")
    figures = Figures(clients=config.clients, duration=config.duration)
    run_config = RunConfig(scenarios=[], revisions=(config.revision,), profile=profile, proxy=config.proxy,
                           time_scale=config.time_scale)
    async with Rig(target, run_config) as rig:
        assert rig.proxy is not None and rig.preflight is not None
        why = rig.preflight.unspoken(config.revision)
        if why:
            raise UsageError(f"the target does not speak {config.revision.value}: {why}")
        resolved = rig.config.profile
        shared = Shared(figures, config.revision, resolved, target.description or target.url,
                        time_scale=config.time_scale, out_dir=config.out_dir, failed=anyio.Event())
        plans = [Plan(config.seed, i, resolved, config.revision, config.faults) for i in range(config.clients)]
        if not plans or not plans[0].playable:
            raise UsageError(f"profile {resolved.name!r} has none of the roles the load mixes "
                             "(progress, long_running, effect, elicitation, sampling, task)")
        names = [f"load-{i:03d}" for i in range(config.clients)]
        listens = []
        for name in names:
            model = await rig.proxy.create_proxy(name, upstream=target.upstream, listen="127.0.0.1:0")
            listens.append(str(model.listen))
        figures.started = time.monotonic()
        until = figures.started + config.duration
        clients = [LoadClient(i, f"http://{listens[i]}{target.path}", rig.proxy, names[i], plans[i], shared)
                   for i in range(config.clients)]

        async def start(c: LoadClient, delay: float) -> None:
            await anyio.sleep(delay)
            await c.run(until)

        async def live() -> None:  # fds sampled every second (their peak), a line every `every` seconds
            printed = time.monotonic()
            while True:
                await anyio.sleep(min(1.0, config.every))
                figures.sample_fds()
                if time.monotonic() - printed >= config.every:
                    printed = time.monotonic()
                    say(figures.line())

        async def stop_at_first_fail(tg: anyio.abc.TaskGroup) -> None:
            assert shared.failed is not None
            await shared.failed.wait()
            say(f"load: {figures.elapsed():.0f}s: a FAIL (--fail-fast): the clients stop")
            tg.cancel_scope.cancel()

        limiter = anyio.CapacityLimiter(REPOINT_AT_ONCE)

        async def repoint(name: str) -> None:
            assert rig.proxy is not None
            async with limiter:  # 200 API calls at once time out on a loaded machine (measured): a few at a time
                await rig.proxy.update_proxy(name, upstream=rig.target.upstream)

        async def kill_then_restart(at: float) -> None:
            await anyio.sleep(at)
            say(f"load: {figures.elapsed():.0f}s: SIGKILL of the target, then the same command again")
            shared.going_down()
            began = time.monotonic()
            try:
                await rig.target.restart()
                served = time.monotonic() - began
                async with anyio.create_task_group() as tg:  # each listener restarts on its own (~1 s at worst)
                    for name in names:
                        tg.start_soon(repoint, name)
            finally:
                shared.back_up()
            say(f"load: {figures.elapsed():.0f}s: the target is back (it served again {served:.1f}s after the kill, "
                f"the proxies {time.monotonic() - began - served:.1f}s later); the clients resume")

        async with anyio.create_task_group() as outer:
            outer.start_soon(live)
            if config.kill_at is not None:
                outer.start_soon(kill_then_restart, config.kill_at)
            ramp = min(config.duration / 4, RAMP_PER_CLIENT_S * config.clients)
            async with anyio.create_task_group() as tg:
                for i, c in enumerate(clients):
                    tg.start_soon(start, c, ramp * i / max(1, config.clients))
                if config.fail_fast:
                    tg.start_soon(stop_at_first_fail, tg)
            figures.ended = time.monotonic()
            outer.cancel_scope.cancel()
        figures.sample_fds()
        shared.verdicts.extend(("(all)", -1, v) for v in run_load_checks(shared.digests, config.revision.value))
        return shared
