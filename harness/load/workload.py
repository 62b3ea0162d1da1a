"""One load client: a session (2025-11-25) or a stateless client (2026-07-28) through its own proxy listener,
playing its plan's steps until the run ends. Its history is cut into short segments, one per step: each is
checked by the registered checks (harness/checks) as soon as the step ends, digested for the cross-client
checks, saved only if one of its checks failed, then dropped (memory stays bounded at hundreds of clients).
Every segment starts with a copy of the session's initialize exchange, so it reads as a session's history."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from harness import __version__
from harness.checks import run_checks
from harness.client import tasks
from harness.client.answers import Answers
from harness.client.factory import wire_client
from harness.client.session import READ_TIMEOUT
from harness.client.verbs import RevisionClient
from harness.history import Fault, History, Meta, Note, Record, Verdict
from harness.load.digest import Digest, digest
from harness.load.figures import CountingHistory, Figures
from harness.load.plan import Plan, Step
from harness.profiles import Profile
from harness.proxy.client import ProxyClient
from harness.revisions import Revision

KEEP = ("FAIL", "WARN", "ERROR")
MAX_SAVED = (20, 5, 5)  # segments saved per run whose worst verdict is FAIL, WARN, ERROR


@dataclass
class Shared:
    """What every client of one run shares: the figures, the verdicts kept, the digests, where to save."""

    figures: Figures
    revision: Revision
    profile: Profile
    target: str
    time_scale: float = 1.0
    out_dir: Path | None = None
    verdicts: list[tuple[str, int, Verdict]] = field(default_factory=list)  # (client, segment, verdict)
    digests: list[Digest] = field(default_factory=list)
    saved: list[Path] = field(default_factory=list)
    saved_count: list[int] = field(default_factory=lambda: [0, 0, 0])
    epoch: int = 0  # server restarts so far
    live: list[LoadClient] = field(default_factory=list)
    up: anyio.Event | None = None  # set while the target serves (cleared during a restart)
    failed: anyio.Event | None = None  # set at the first FAIL (made by the engine, on its event loop)

    async def wait_up(self) -> None:
        if self.up is not None:
            await self.up.wait()

    def harness_error(self, client: str, segment: int, message: str) -> None:
        self.figures.errors += 1
        self.verdicts.append((client, segment, Verdict(scenario=f"load:{client}", check="load-step",
                                                       requirement="harness.load.step", revision=self.revision.value,
                                                       level="MUST", status="ERROR", message=message)))

    def going_down(self) -> None:
        """The target is about to be killed and started again: the clients start no new step until it is back,
        and every client's current segment records the restart (its checks do not blame the server for it)."""
        self.up = anyio.Event()
        self.epoch += 1
        self.figures.restarts += 1
        for c in self.live:
            c.history.append(Fault(action="restart", detail="SIGKILL of the target, then the same command again"))

    def back_up(self) -> None:
        if self.up is not None:
            self.up.set()


class LoadClient:
    def __init__(self, index: int, base_url: str, proxy: ProxyClient, proxy_name: str, plan: Plan,
                 shared: Shared) -> None:
        self.index, self.name = index, f"c{index:03d}"
        self.base_url, self.proxy, self.proxy_name = base_url, proxy, proxy_name
        self.plan, self.shared = plan, shared
        self.segment = 0
        self.calls = 0
        self.history: History = self._fresh([])
        self._init: list[Record] = []
        self._toxics = 0
        self.epoch = 0  # the target restarts this client has caught up with

    # -- segments ---------------------------------------------------------------------------------------
    def _fresh(self, init: list[Record]) -> History:
        h = CountingHistory(self.shared.figures)
        h.append(Meta(scenario=f"load:{self.name}", revision=self.shared.revision.value, target=self.shared.target,
                      profile=self.shared.profile.name, harness_version=__version__, started_at=time.time(),
                      params={"client": self.name, "segment": self.segment}))
        for r in init:  # copies of the session's opening: not counted again in the figures
            History.append(h, r.model_copy())
        h._next_x = max((x for r in init if isinstance(x := getattr(r, "x", None), int)), default=-1) + 1
        return h

    def _close_segment(self, client: RevisionClient) -> None:
        h, shared = self.history, self.shared
        scenario = f"load:{self.name}#{self.segment}"
        kept = [v for v in run_checks(h, scenario=scenario) if v.status in KEEP]
        for v in kept:
            h.append(v.model_copy())
            shared.verdicts.append((self.name, self.segment, v))
            shared.figures.fails += v.status == "FAIL"
            if v.status == "FAIL" and shared.failed is not None:
                shared.failed.set()
            shared.figures.warns += v.status == "WARN"
            shared.figures.errors += v.status == "ERROR"
        worst = min((KEEP.index(v.status) for v in kept), default=None)
        if worst is not None and shared.out_dir is not None and shared.saved_count[worst] < MAX_SAVED[worst]:
            shared.saved_count[worst] += 1
            path = h.save(shared.out_dir / "histories" / f"{KEEP[worst]}-{self.name}-{self.segment}.jsonl")
            shared.saved.append(path)
        shared.digests.append(digest(h, self.name, segment=self.segment, epoch=shared.epoch))
        shared.figures.segments += 1
        self.segment += 1
        self.history = client.history = self._fresh(self._init)
        client.seen = []

    # -- the run ------------------------------------------------------------------------------------------
    async def run(self, until: float) -> None:
        shared = self.shared
        # tasks only where the plan has a task step (2025-11-25: `params.task` per call); a 2026 client declaring the
        # tasks extension would get a task for every task-capable call
        caps = tasks.with_tasks() if self.plan.role_for("task") and shared.revision is Revision.R2025 else None
        client = wire_client(self.base_url, self.history, revision=shared.revision, client=self.name,
                             answers=Answers(), capabilities=caps, tasks=caps is not None,
                             timeout=READ_TIMEOUT * shared.time_scale, time_scale=shared.time_scale)
        shared.live.append(self)
        try:
            async with client:
                await self._open(client)
                while time.monotonic() < until:
                    await shared.wait_up()
                    if self.epoch != shared.epoch:
                        await self._after_restart(client)
                    if shared.revision is Revision.R2025 and client.session_id is None:
                        await anyio.sleep(shared.time_scale)  # the last initialize got no session: again, as a client would
                        await self._open(client)
                        continue
                    step = self.plan.next()
                    try:
                        with anyio.move_on_after(max(0.5, until - time.monotonic() + 30 * shared.time_scale)):
                            await self.do(client, step)
                    except Exception as exc:  # noqa: BLE001 - one client's harness trouble: an ERROR, the run goes on
                        self.shared.harness_error(self.name, self.segment, f"{step.action}: {type(exc).__name__}: {exc}")
                    self._close_segment(client)
        finally:
            shared.live.remove(self)

    async def _after_restart(self, client: RevisionClient) -> None:
        """The first request after a restart is a ping: a session the restarted server no longer serves answers
        404, and then the client MUST start a new session (2025-11-25 § Session Management), as it does here.
        (Its broken streams were resumed by GET + Last-Event-ID already: the store kept them.)"""
        self.epoch = self.shared.epoch
        out = await client.served_request("ping-after-restart")
        if out.status == 404 and self.shared.revision is Revision.R2025:
            self.history.note("the session ended with the restart (404): a new session")
            client.session_id = None
            await self._open(client)
        else:
            self._close_segment(client)

    async def _open(self, client: RevisionClient) -> None:
        """initialize (2026: server/discover); its exchanges open every later segment. Closes the segment."""
        start = len(self.history.records)
        opened = await client.open()
        failed = self.shared.revision is Revision.R2025 and client.session_id is None
        # a failed opening is judged once, in its own segment; only a session's opening starts the later ones
        self._init = [] if failed else [r for r in self.history.records[start:] if not isinstance(r, Note)]
        self._offers_tasks = client.offers_tasks(opened)
        self._close_segment(client)

    def _call(self, role: str) -> tuple[str, dict[str, Any], str]:
        """The role's tool and arguments (an effect job marked with this client), and a token of its own."""
        found = self.shared.profile.role(role)
        assert found is not None
        args = dict(found.arguments)
        if isinstance(args.get("job"), str):
            args["job"] = f"{args['job']}@{self.name}"
        self.calls += 1
        return found.tool, args, f"{self.name}#{self.calls}"

    async def _call_tool(self, client: RevisionClient, tool: str, args: dict[str, Any], token: str) -> None:
        """The call to its end: a stream that broke before its response (a toxic, the target killed) is resumed
        (2025-11-25: GET + Last-Event-ID) or re-issued (2026-07-28) once the target serves, as a client does."""
        out = await client.call_tool(tool, args, progress_token=token)
        if out.response is None and out.ended in ("reset", "error", "eof", "timeout"):
            await self.shared.wait_up()
            await client.recover(out, progress_token=token)

    async def do(self, client: RevisionClient, step: Step) -> None:
        h = self.history
        h.note(f"load step: {step.action}", action=step.action, role=step.role)
        if step.action == "burst":
            async with anyio.create_task_group() as tg:
                for _ in range(2):
                    tool, args, token = self._call(step.role)
                    tg.start_soon(self._call_tool, client, tool, args, token)
        elif step.action == "task":
            tool, args, token = self._call(step.role)
            if not self._offers_tasks:
                await self._call_tool(client, tool, args, token)
                return
            _, task = await client.start_task(tool, args, progress_token=token, deadline=client.scaled(10))
            if task is not None:
                await client.finish_task(str(task["taskId"]))
        elif step.action == "cut":
            tool, args, token = self._call(step.role)
            await self._call_tool(client, tool, args, token)  # the undisturbed twin the replay is held to
            if self.epoch != self.shared.epoch:
                return  # the target restarted meanwhile: this session is gone, the step ends here
            tool, args, token = self._call(step.role)
            out = await client.call_tool(tool, args, progress_token=token, cut_after=step.cut_after)
            await client.recover(out, progress_token=token)
        elif step.action == "toxic" and step.toxic is not None:
            self._toxics += 1
            name, (kind, attributes) = f"load-{self._toxics}", step.toxic
            await self.proxy.add_toxic(self.proxy_name, kind, attributes, name=name, stream=step.stream)
            h.append(Fault(action="add", proxy=self.proxy_name,
                           toxic={"name": name, "type": kind, "attributes": attributes, "stream": step.stream}))
            try:
                tool, args, token = self._call(step.role)
                await self._call_tool(client, tool, args, token)
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                    await self.proxy.remove_toxic(self.proxy_name, name)
                    h.append(Fault(action="remove", proxy=self.proxy_name, toxic={"name": name}))
        else:  # call, effect, answer: the role's call, answered by the scripted answers when it asks
            tool, args, token = self._call(step.role)
            await self._call_tool(client, tool, args, token)



