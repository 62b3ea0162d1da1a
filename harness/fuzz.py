"""Property-based fault exploration: Hypothesis draws fault schedules, the checks are the
invariants, and a failure is shrunk to the smallest schedule that still fails, then written as a
repro file that `faultline replay` re-runs (harness/fuzz_io.py).

A run has workers (threads), each with its own target instance and fault proxy (a Rig, kept across
its examples: one example at a time on it, so nothing of one example's runs in another's) in its own event
loop (an anyio blocking portal) so Hypothesis can drive examples synchronously; they first share out a seed
corpus (scenarios/strategies.py), then each runs its own Hypothesis search (its own seed). A signature is
shrunk by the worker that saw it first. Outcomes are memoised per schedule: a schedule seen again (Hypothesis
replays its final, shrunk example) gets the same answer, so timing noise in the target can never make
Hypothesis call a failure flaky. What a reused target keeps (sessions, stores, counters) does not reach a
verdict: the checks read one example's history, the effect counter is the example's own, and
`benchmarks/fuzz.py` (FAULTLINE_BENCH_FUZZ_ISOLATION) plays the same schedules in two orders to show it.
Where the time went, and what was cut: benchmarks/fuzz.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from harness.calibration import SILENCE_TAG, Calibration
from harness.proxy.attributes import CATALOGUE, CLASSIC
from harness.revisions import Revision
from harness.runner import Rig, RunConfig, ScenarioResult
from harness.targets import SpawnTarget, Target
from scenarios.api import Scenario
from scenarios.schedules import Schedule, play
from scenarios.strategies import schedules, seed_corpus

FAILING = ("FAIL", "WARN", "ERROR")
FUZZ_ROLES = ("progress", "long_running", "elicitation", "sampling", "server_close", "effect")
DEFAULT_WORKERS = 12  # 2 cores: examples wait on the server (~0.5 s); forked starts: 12 ~1.25x 8, ~2.5x 4 (loaded)
OVERTIME = 5.0  # seconds an example may run past the time budget before it is cancelled
CACHE_DIR = Path(os.environ.get("FAULTLINE_CACHE", ".cache/faultline"))

settings.register_profile("faultline-ci", derandomize=True, max_examples=50, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), print_blob=False)
settings.register_profile("faultline-dev", deadline=None, suppress_health_check=list(HealthCheck),
                          database=DirectoryBasedExampleDatabase(str(CACHE_DIR / "hypothesis")))


def hypothesis_profile() -> str:
    """`faultline-ci` on CI (derandomized, bounded), else `faultline-dev` (database under the cache)."""
    return "faultline-ci" if os.environ.get("CI") else "faultline-dev"


def schedule_scenario(schedule: Schedule) -> Scenario:
    """The scenario that plays `schedule`; an undisturbed one has the client's read timeout derived from calibration
    (harness/calibration.py SILENCE_TAG): a server that hangs on a call is seen in seconds, not after 10 s."""
    return Scenario(name="fuzz", description=schedule.describe(), revisions=(Revision.R2025, Revision.R2026),
                    roles=(schedule.role,), checks=(), run=play(schedule),
                    tags=(SILENCE_TAG,) if schedule.undisturbed else ())


def rig_config(config: RunConfig, roles: list[str]) -> RunConfig:
    """The config of a Rig that plays schedules of `roles` (a fuzz worker's, a replay's): its scenarios are one per
    role, so the Rig calibrates each role's tool once at each revision (deadlines, and undisturbed schedules' read
    timeout, derive from it as a suite run's do)."""
    return dataclasses.replace(config, scenarios=[schedule_scenario(Schedule(role=r)) for r in roles])


def failing(result: ScenarioResult) -> list[str]:
    """The failure signature of a result: the requirement ids it FAILed, WARNed (a broken SHOULD) or ERRORed
    (an indeterminate outcome), sorted."""
    return sorted({v.requirement for v in result.verdicts if v.status in FAILING})


@dataclass
class Failure:
    revision: str
    signature: list[str]
    schedule: Schedule
    result: ScenarioResult
    found_after: float  # seconds from the start of the fuzz run
    examples: int
    calibration: Calibration | None = None  # what the run measured (its repro file keeps the role's measures)


@dataclass
class FuzzStats:
    examples: int = 0
    failures: int = 0
    shrinks: int = 0
    started: float = field(default_factory=time.monotonic)
    workers: int = 1
    ready: float = 0.0  # seconds from the start until every worker's target was up (the rest is exploring)
    first_up: float = 0.0  # seconds from the start until the first worker's target was up


class _Stop(BaseException):
    """Raised out of the property when the run stops (budget spent, interrupted): Hypothesis lets a BaseException
    through at once, where an example that merely passed would have it draw all the remaining ones."""


class _Found(Exception):
    def __init__(self, signature: list[str], schedule: Schedule, revision: Revision) -> None:
        super().__init__(", ".join(signature))
        self.signature, self.schedule, self.revision = signature, schedule, revision


@dataclass
class _Search:
    """What the workers of one fuzz run share: the budget, the stats, the failures and who claimed which
    signature (a signature is shrunk by the one worker that saw it first), and the stop signals."""

    revisions: list[Revision]
    roles: list[str]
    config: RunConfig
    max_examples: int
    seed_value: int | None
    stop_at: float
    stop_at_first: bool
    remember: bool
    on_progress: Callable[[FuzzStats, str], None] | None
    stats: FuzzStats = field(default_factory=FuzzStats)
    failures: list[Failure] = field(default_factory=list)
    claims: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    found: threading.Event = field(default_factory=threading.Event)  # a first failure (matters with stop_at_first)
    interrupted: threading.Event = field(default_factory=threading.Event)
    in_flight: dict[int, Any] = field(default_factory=dict)  # worker -> the future of its running example
    errors: list[BaseException] = field(default_factory=list)
    corpus: deque[tuple[Revision, Schedule]] = field(default_factory=deque)  # played before Hypothesis draws
    up: list[threading.Event] = field(default_factory=list)  # per worker: its target is up (or failed to start)

    def report(self, worker: int, found: Failure) -> None:
        """A shrunk failure: kept, and its signature never reported again; the worker's other claims (signatures
        it saw while shrinking) are released."""
        with self.lock:
            self.failures.append(found)
            for key, owner in list(self.claims.items()):
                if owner == worker:
                    if key == (found.revision, tuple(found.signature)):
                        self.claims[key] = -1
                    else:
                        del self.claims[key]

    def claim(self, worker: int, rev: Revision, signature: list[str]) -> bool:
        with self.lock:
            return self.claims.setdefault((rev.value, tuple(signature)), worker) == worker

    def counted(self, shrinking: bool) -> None:
        with self.lock:
            self.stats.examples += 1
            self.stats.shrinks += shrinking

    def standing_down(self, worker_found: bool) -> bool:
        """True when a worker should run no new example: interrupted, or (with stop_at_first) another worker
        found the first failure while this one has none of its own to shrink."""
        return self.interrupted.is_set() or (self.stop_at_first and self.found.is_set() and not worker_found)


def worker_targets(target: Target, config: RunConfig, workers: int) -> list[Target]:
    """One target per worker: the given one, then more instances of a spawned command (each with its own
    scratch folder, so its own default store). A URL target, a spawned one on a fixed --url, or a real
    Toxiproxy (one proxy name for everyone) keeps a single worker."""
    if workers <= 1 or not isinstance(target, SpawnTarget) or target.fixed_url or config.proxy != "embedded":
        return [target]
    more: list[Target] = [SpawnTarget(target.command, startup_timeout=target.startup_timeout)
                          for _ in range(workers - 1)]
    return [target, *more]


def fuzz(target: Target, config: RunConfig, *, max_examples: int, time_budget: float, seed_value: int | None,
         on_progress: Callable[[FuzzStats, str], None] | None = None,
         stop_at_first: bool = False, workers: int = 1, remember: bool = True) -> tuple[list[Failure], FuzzStats]:
    """Explore schedules at each revision of `config`; return the distinct, shrunk failures (only the
    first one with `stop_at_first`). `workers` searches run at once, each with its own target instance
    (`worker_targets`) and proxy, kept across its examples; `remember=False` uses no example database."""
    targets = worker_targets(target, config, min(workers, max_examples))  # no worker without an example
    roles = [r for r in FUZZ_ROLES if config.profile.role(r)]
    search = _Search(revisions=list(config.revisions), roles=roles,
                     config=rig_config(config, roles),
                     max_examples=max_examples, seed_value=seed_value,
                     stop_at=time.monotonic() + time_budget, stop_at_first=stop_at_first, remember=remember,
                     on_progress=on_progress)
    search.stats.workers = len(targets)
    search.up.extend(threading.Event() for _ in targets)
    search.corpus.extend(seed_corpus(search.revisions, search.roles, can_restart=targets[0].can_restart))
    _in_threads(targets, search)
    found = sorted(search.failures, key=lambda f: f.found_after)
    return (found[:1] if stop_at_first else found), search.stats


def _in_threads(targets: list[Target], search: _Search) -> None:
    threads = [threading.Thread(target=_guarded_worker, args=(i, t, search), name=f"fuzz-worker-{i}", daemon=True)
               for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    try:
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.2)
            if time.monotonic() > search.stop_at + OVERTIME and not search.interrupted.is_set():
                _interrupt(search)  # the budget is a bound: examples still running past it are cancelled
    except BaseException:  # Ctrl-C / SIGTERM: every worker cancels its example, unwinds and stops its target
        _interrupt(search)
        for t in threads:
            t.join()
        raise
    if search.errors:
        raise search.errors[0]


def _interrupt(search: _Search) -> None:
    search.interrupted.set()
    for future in list(search.in_flight.values()):
        future.cancel()


def _guarded_worker(index: int, target: Target, search: _Search) -> None:
    try:
        _worker(index, target, search)
    except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
        search.errors.append(exc)
        search.interrupted.set()


def _worker(index: int, target: Target, search: _Search) -> None:
    """One worker: its target behind its own proxy (a Rig), kept across searches until the budget is spent. The
    first target starts alone, the others when it is up: started all at once on a busy machine they are all late,
    so the first worker explores seconds earlier."""
    while index and not search.up[0].wait(0.2):
        if search.interrupted.is_set():
            return
    try:
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(Rig(target, search.config)) as rig:
            with search.lock:
                search.stats.ready = max(search.stats.ready, time.monotonic() - search.stats.started)
                search.stats.first_up = search.stats.first_up or search.stats.ready
                if index == 0:  # the first target's calibration serves the others (instances of one command)
                    search.config = dataclasses.replace(search.config, calibration=rig.config.calibration)
            search.up[index].set()
            _explore(portal, rig, index, target, search)
    finally:
        search.up[index].set()


def _explore(portal: Any, rig: Rig, index: int, target: Target, search: _Search) -> None:
    """The worker's share of the seed corpus, then Hypothesis searches, until the budget is spent."""
    while time.monotonic() < search.stop_at and not search.standing_down(False):
        found = _play_corpus(portal, rig, index, search) if search.corpus else None
        found = found or _search(portal, rig, index, search, target.can_restart)
        if found is None:
            break
        search.report(index, found)
        if search.stop_at_first:
            break


def _play_corpus(portal: Any, rig: Rig, index: int, search: _Search) -> Failure | None:
    """Take schedules of the seed corpus (scenarios/strategies.py `seed_corpus`) until it is empty; the first new
    failure is returned as it is (a corpus schedule is already as small as its move allows)."""
    while time.monotonic() < search.stop_at and not search.standing_down(False):
        with search.lock:
            if not search.corpus:
                return None
            rev, schedule = search.corpus.popleft()
        try:
            result = run_in_portal(portal, rig, schedule_scenario(schedule), rev,
                                   on_start=lambda future: search.in_flight.__setitem__(index, future))
        except Exception:
            if search.interrupted.is_set():
                return None
            raise
        search.counted(False)
        if search.on_progress:
            search.on_progress(search.stats, f"{rev.value} {schedule.describe()} (seed corpus)")
        signature = failing(result)
        if signature and search.claim(index, rev, signature):
            with search.lock:
                search.stats.failures += 1
            search.found.set()
            after, examples = time.monotonic() - search.stats.started, search.stats.examples
            schedule, result = _narrowed(portal, rig, index, search, rev, schedule, result, signature)
            return Failure(rev.value, signature, schedule, result, after, examples, rig.config.calibration)
    return None


def _narrowed(portal: Any, rig: Rig, index: int, search: _Search, rev: Revision, schedule: Schedule,
              result: ScenarioResult, signature: list[str]) -> tuple[Schedule, ScenarioResult]:
    """A failing corpus schedule with several probes, narrowed to those its failure needs: each probe left out in
    turn, kept out when the schedule still fails with the same signature (the corpus's own shrinking)."""
    for probe in schedule.probes:
        if len(schedule.probes) < 2 or search.interrupted.is_set():
            break
        smaller = dataclasses.replace(schedule, probes=tuple(p for p in schedule.probes if p != probe))
        try:
            again = run_in_portal(portal, rig, schedule_scenario(smaller), rev,
                                  on_start=lambda future: search.in_flight.__setitem__(index, future))
        except Exception:
            if search.interrupted.is_set():
                break
            raise
        search.counted(True)
        if failing(again) == signature:
            schedule, result = smaller, again
    return schedule, result


def _search(portal: Any, rig: Rig, index: int, search: _Search, can_restart: bool) -> Failure | None:
    """One Hypothesis search over (revision, schedule): the revision is drawn like the rest (and shrinks
    toward the first one), so every revision is explored from the first second of the budget."""
    memo: dict[str, tuple[list[str], ScenarioResult]] = {}
    first_failure: list[float] = []
    latest: list[_Found] = []  # the last failing example seen (while shrinking: the smallest so far)
    stats = search.stats

    def key_of(rev: Revision, schedule: Schedule) -> str:
        return rev.value + json.dumps(schedule.to_json(), sort_keys=True)

    def run(rev: Revision, schedule: Schedule) -> tuple[list[str], ScenarioResult]:
        key = key_of(rev, schedule)
        if key not in memo:
            result = run_in_portal(portal, rig, schedule_scenario(schedule), rev,
                                   on_start=lambda future: search.in_flight.__setitem__(index, future))
            memo[key] = (failing(result), result)
            search.counted(bool(first_failure))
        return memo[key]

    def prop(case: tuple[Revision, Schedule]) -> None:
        rev, schedule = case
        if key_of(rev, schedule) not in memo and (time.monotonic() > search.stop_at
                                                  or search.standing_down(bool(first_failure))):
            raise _Stop  # budget spent (or the run is stopping): no new example runs
        try:
            signature, _ = run(rev, schedule)
        except Exception:
            if search.interrupted.is_set():
                raise _Stop from None  # cancelled by the interrupt: no failure of the server's
            raise
        if search.on_progress:
            search.on_progress(stats, f"{rev.value} {schedule.describe()}")
        if signature and search.claim(index, rev, signature):
            if not first_failure:
                first_failure.append(time.monotonic() - stats.started)
                with search.lock:
                    stats.failures += 1
                search.found.set()
            latest[:] = [_Found(signature, schedule, rev)]
            raise latest[0]

    cases = search_cases(search.revisions, search.roles, can_restart=can_restart, proxy=search.config.proxy)
    profile = settings.get_profile(hypothesis_profile())
    test = settings(profile, max_examples=search.max_examples,
                    database=profile.database if search.remember else None,
                    verbosity=Verbosity.quiet,  # Faultline reports; Hypothesis's "reproduce by @seed" lines are noise
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])(given(cases)(prop))
    worker_seed = _worker_seed(search.seed_value, index, profile.derandomize)
    if worker_seed is not None:
        test = seed(worker_seed)(test)
    try:
        test()
    except _Found as found:
        return _failure(found, run, first_failure[0], stats.examples, rig.config.calibration)
    except _Stop:
        if latest:  # stopped while shrinking: the smallest failing example so far
            return _failure(latest[0], run, first_failure[0], stats.examples, rig.config.calibration)
    return None


def _failure(found: _Found, run: Callable[[Revision, Schedule], tuple[list[str], ScenarioResult]], after: float,
             examples: int, calibration: Calibration | None) -> Failure:
    _, result = run(found.revision, found.schedule)  # memoised: the recorded run
    return Failure(found.revision.value, found.signature, found.schedule, result, after, examples, calibration)


def search_cases(revisions: list[Revision], roles: list[str], *, can_restart: bool,
                 proxy: str = "embedded") -> st.SearchStrategy[tuple[Revision, Schedule]]:
    """(revision, schedule) draws: built once per search, not per draw (a flatmap rebuilding the schedule strategy
    cost ~30 ms an example); one_of shrinks toward its first branch, the first revision. A real Toxiproxy gets
    the classic toxics only and no strike needing a faultline.* one."""
    extensions = proxy == "embedded"
    catalogue = CATALOGUE if extensions else {t: CATALOGUE[t] for t in CLASSIC}
    return st.one_of([_at(rev, schedules(rev, roles, can_restart=can_restart, catalogue=catalogue,
                                         extensions=extensions)) for rev in revisions])


def _at(rev: Revision, strategy: st.SearchStrategy[Schedule]) -> st.SearchStrategy[tuple[Revision, Schedule]]:
    return strategy.map(lambda schedule: (rev, schedule))


def _worker_seed(seed_value: int | None, index: int, derandomized: bool) -> int | None:
    """Worker 0 keeps the given seed (or none); the others explore elsewhere: seed + index, or index when the
    profile is derandomized (CI) and no seed was given, else random."""
    if seed_value is not None:
        return seed_value + index
    return index if derandomized and index else None


def run_in_portal(portal: Any, rig: Rig, scenario: Scenario, revision: Revision, unwind: float = 30.0,
                  on_start: Callable[[Any], None] | None = None) -> ScenarioResult:
    """`rig.run` in the portal's loop. When this thread is interrupted (Ctrl-C, or SIGTERM made one), the
    scenario is cancelled and waited for (at most `unwind` s) before the caller leaves the Rig: a scenario
    still restarting the target while the Rig stops it could otherwise start a server nobody stops."""
    finished = threading.Event()

    async def guarded() -> ScenarioResult:
        try:
            return await rig.run(scenario, revision)
        finally:
            finished.set()

    future = portal.start_task_soon(guarded)
    if on_start:
        on_start(future)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        finished.wait(unwind)
        raise
