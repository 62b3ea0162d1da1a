"""One `faultline call`: connect with the revision's recording wire client (harness/client/factory.py), pick
the tool and its arguments, call it with a progress token, show what arrives, answer what the server asks
(form.py), recover a lost stream (2025-11-25: GET + Last-Event-ID, the client's own `recover`; 2026-07-28:
the call re-issued, a task polled), then judge the history (verdicts.py). `resume_call` is the same after a
kill, from the state file (state.py) and the history written so far."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from harness.client import tasks
from harness.client.factory import wire_client
from harness.client.verbs import RevisionClient
from harness.discovery.listing import server_info
from harness.errors import HarnessError, UsageError
from harness.history import End, Meta, Record, Request, Response, SseEvent
from harness.host import verdicts
from harness.host.display import Screen
from harness.host.form import HostAnswers
from harness.host.keys import HELP, FaultKeys, KeyReader, fault_proxy
from harness.host.picker import arguments_from_flags, find_tool, missing_required, pick_tool, prompt_fields
from harness.host.sampling import SamplingSource
from harness.host.state import DurableHistory, HostState, load_history, load_state
from harness.revisions import Revision, task_of
from harness.targets import Target, UrlTarget

TOKEN = "faultline-call"
TWIN_TOKEN = "faultline-twin"
MAX_RECOVERIES = 6  # times the host recovers one call (each a resume loop of the client's own, or a re-issue)


@dataclass
class CallOptions:
    revision: Revision
    tool: str | None = None
    args_json: str | None = None
    arg_pairs: list[str] = field(default_factory=list)
    state: Path | None = None
    history: Path | None = None
    through_proxy: bool = False
    keys: bool = False  # read d/u/c/l from the terminal (with the proxy, stdin a terminal)
    interactive: bool = False
    elicit: tuple[str, dict[str, Any] | None] = ("accept", None)
    sampling: SamplingSource = field(default_factory=lambda: SamplingSource("refuse"))
    repro: Path | None = None
    twin: bool = True
    task: bool = False
    deadline: float = 600.0  # seconds one exchange may last
    timeout: float = 120.0  # seconds the client waits for the next bytes of a stream


class HostRun:
    """The call in progress: its state file kept in step with the history as records arrive."""

    def __init__(self, opts: CallOptions, state: HostState, records: list[Record] | None = None) -> None:
        self.opts, self.state = opts, state
        self.screen = Screen(interactive=opts.interactive)
        self.answers = HostAnswers(self.screen, elicit=opts.elicit, source=opts.sampling)
        self.history = DurableHistory(Path(state.history), records, on_record=self._on_record)
        self.client: RevisionClient | None = None
        self.twin_running = False
        self.events_before_cut: int | None = None
        self.fault_keys: FaultKeys | None = None

    # -- the state file, as each token arrives -----------------------------------------------------
    def _on_record(self, rec: Record) -> None:
        st, changed = self.state, False
        if isinstance(rec, Request) and not self.twin_running and isinstance(rec.body, dict):
            if rec.body.get("method") == "tools/call" and rec.stream:
                st.rpc_id, st.stream, st.last_event_id, changed = rec.body.get("id"), rec.stream, None, True
        if isinstance(rec, SseEvent) and rec.stream == st.stream and rec.id and not self.twin_running:
            st.last_event_id, changed = rec.id, True
        if isinstance(rec, SseEvent | Response) and not self.twin_running:
            result = _result_of(rec)
            if isinstance(result, dict) and result.get("resultType") == "input_required":
                st.request_state, changed = result.get("requestState"), True
        show = isinstance(rec, SseEvent) and not self.twin_running and _shown(rec, st)
        if show and _method(rec) == "notifications/progress":  # type: ignore[arg-type]
            st.shown += 1
        c = self.client
        if c is not None and (c.session_id, c.protocol_version, c._ids) != (st.session_id, st.protocol_version,
                                                                          st.next_id):
            st.session_id, st.protocol_version, st.next_id, changed = c.session_id, c.protocol_version, c._ids, True
        if changed and self.opts.state is not None:
            st.save(self.opts.state)
        if show:
            self.screen.record(rec)

    def save(self) -> None:
        if self.opts.state is not None:
            self.state.save(self.opts.state)

    # -- the client ----------------------------------------------------------------------------------
    def make_client(self, url: str) -> RevisionClient:
        self.client = wire_client(url, self.history, revision=self.opts.revision, answers=self.answers,
                                  timeout=self.opts.timeout, tasks=self.opts.task)
        return self.client

    @contextlib.asynccontextmanager
    async def connection(self, upstream: str) -> AsyncIterator[RevisionClient]:
        """The client, through the fault proxy (and its keys) with --through-proxy."""
        async with contextlib.AsyncExitStack() as stack:
            url = upstream
            if self.opts.through_proxy:
                proxy, url = await stack.enter_async_context(fault_proxy(upstream))
                self.fault_keys = FaultKeys(proxy, self.history, self.screen.say)
            self.state.target = url
            client = await stack.enter_async_context(self.make_client(url))
            async with anyio.create_task_group() as tg:
                reader = None
                if self.fault_keys is not None and self.opts.keys:
                    reader = KeyReader(self.fault_keys.act)
                    self.screen.keys = reader
                    tg.start_soon(reader.run)
                    self.screen.say(HELP)
                try:
                    yield client
                finally:
                    self.screen.keys = None
                    if reader is not None:
                        reader.stop()
                    tg.cancel_scope.cancel()

    # -- one call to its end ---------------------------------------------------------------------------
    async def call(self, client: RevisionClient, tool: str, arguments: dict[str, Any]) -> Any:
        self.screen.start(tool)
        try:
            if self.opts.task:
                out, task = await client.start_task(tool, arguments, progress_token=TOKEN, deadline=self.opts.deadline)
                if task is not None:
                    return await self.follow_task(client, str(task["taskId"]), out)
            else:
                out = await client.call_tool(tool, arguments, progress_token=TOKEN, deadline=self.opts.deadline)
            return await self.recover(client, out)
        finally:
            self.screen.stop()

    async def recover(self, client: RevisionClient, out: Any) -> Any:
        """Until the response is in: 2025-11-25 resumes the stream from its last event id, 2026-07-28 re-issues
        the call (the client's `recover`); a network taken down by a key is waited for first."""
        for _ in range(MAX_RECOVERIES):
            if out.response is not None:
                break
            if self.events_before_cut is None:
                self.events_before_cut = len(out.events)
            if self.fault_keys is not None and self.fault_keys.down:
                self.screen.say("the network is down: waiting for it to come up (u)")
                await self.fault_keys.up_again.wait()
            how = (f"resuming from event {out.last_event_id}" if client.revision.traits.resumable and
                   out.last_event_id else "re-issuing the call")
            self.screen.say(f"the stream ended before the result ({out.ended or 'no answer'}): {how}")
            if client.revision.traits.resumable and not out.last_event_id:
                out = await client.call_tool(self.state.tool, self.state.arguments, progress_token=TOKEN,
                                             deadline=self.opts.deadline)
                continue
            out = await client.recover(out, progress_token=TOKEN)
        task = task_of(out.result, client.revision)
        if task is not None:
            return await self.follow_task(client, str(task["taskId"]), out)
        return out

    async def follow_task(self, client: RevisionClient, task_id: str, out: Any) -> Any:
        self.state.task_id = task_id
        self.save()
        if out is not None:
            self.screen.say(f"the server runs the call as task {task_id}: following it to its end")
        if client.revision.traits.tasks_extension:
            final = await tasks.follow(client, task_id, self.opts.deadline)
            self.screen.say(f"task {task_id}: {(final or {}).get('status', 'no final status')}")
            return final
        result = await tasks.result(client, task_id, deadline=self.opts.deadline)
        return result

    async def twin(self, client: RevisionClient, out: Any) -> None:
        """2025-11-25, a resumed call that asked the user nothing: the same call once more, undisturbed, so the
        checks can compare the reassembled stream with it (http.resume.no-gaps, -duplicates, -order)."""
        if not (self.opts.twin and client.revision.traits.resumable and self.answers.asked == 0
                and any(r.purpose in ("resume", "follow") for r in self.history.of(Request))):
            return
        self.screen.say(f"calling {self.state.tool} once more, undisturbed, for the checks to compare the resumed "
                        "stream with (--no-twin: not)")
        self.twin_running = True
        try:
            await client.call_tool(self.state.tool, self.state.arguments, progress_token=TWIN_TOKEN,
                                   deadline=self.opts.deadline)
        finally:
            self.twin_running = False

    def finish(self, out: Any, got: bool) -> int:
        self.state.done = got
        self.save()
        found = verdicts.judge(self.history, self.screen.say)
        if self.opts.repro is not None:
            path = verdicts.save_repro(self.opts.repro, self.history, found, upstream=self.state.upstream,
                                       revision=self.state.revision, tool=self.state.tool,
                                       arguments=self.state.arguments, events_before_cut=self.events_before_cut,
                                       elicit=self.opts.elicit[0])
            self.screen.say(f"repro written: {path} (faultline replay {path})")
        self.screen.say(f"history: {self.state.history}" + (f"; state: {self.opts.state}" if self.opts.state else ""))
        self.history.close()
        if verdicts.any_fail(found):
            return 1
        return 0 if got else 3


def show_result(screen: Screen, out: Any) -> bool:
    """Print the call's result (or error); False if there is none."""
    if isinstance(out, dict):  # a 2026 task's final state
        inner = out.get("result")
        result: dict[str, Any] = inner if isinstance(inner, dict) else out
        screen.say(f"result: {_content_text(result)}")
        return out.get("status") == "completed" or "content" in result
    if out is None or out.response is None:
        screen.say("no result: the call ended without its response")
        return False
    if out.error is not None:
        screen.say(f"error {out.error.get('code')}: {out.error.get('message')}")
        return True
    result = out.result or {}
    screen.say(("tool error: " if result.get("isError") else "result: ") + _content_text(result))
    return True


def _content_text(result: dict[str, Any]) -> str:
    texts = [str(b.get("text")) for b in result.get("content") or [] if isinstance(b, dict) and b.get("type") == "text"]
    sc = result.get("structuredContent")
    return " ".join(texts) + (f"  {sc}" if sc else "")


def _result_of(rec: Record) -> Any:
    msg = rec.message if isinstance(rec, SseEvent) else rec.body if isinstance(rec, Response) else None
    return msg.get("result") if isinstance(msg, dict) else None


def _method(rec: SseEvent) -> str:
    return str(rec.message.get("method", "")) if isinstance(rec.message, dict) else ""


def _shown(rec: SseEvent, st: HostState) -> bool:
    """Progress of the call's token, logs on the call's stream."""
    params = (rec.message or {}).get("params") if isinstance(rec.message, dict) else None
    if _method(rec) == "notifications/progress":
        return isinstance(params, dict) and params.get("progressToken") == st.progress_token
    return _method(rec) == "notifications/message" and rec.stream == st.stream


async def _tools(client: RevisionClient) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        out = await client.call("tools/list", {"cursor": cursor} if cursor else {}, purpose="list")
        listed = out.result or {}
        tools += [t for t in listed.get("tools") or [] if isinstance(t, dict)]
        cursor = listed.get("nextCursor")
        if not isinstance(cursor, str) or not cursor:
            break
    return tools


def _history_path(opts: CallOptions) -> Path:
    if opts.history is not None:
        return opts.history
    if opts.state is not None:
        return opts.state.with_name(opts.state.name + ".history.jsonl")
    return Path(tempfile.mkdtemp(prefix="faultline-call-")) / "history.jsonl"


async def new_call(target: Target, opts: CallOptions) -> int:
    path = _history_path(opts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    await target.start()
    try:
        st = HostState(target=target.url, upstream=target.url, revision=opts.revision.value, tool=opts.tool or "",
                       arguments={}, history=str(path.resolve()), progress_token=TOKEN, extra={"task": opts.task})
        run = HostRun(opts, st)
        run.history.append(Meta(scenario="call", revision=opts.revision.value, target=target.description or target.url,
                                profile="", params={"through_proxy": opts.through_proxy}))
        async with run.connection(target.url) as client:
            opened = await client.open()
            if not opened:
                raise HarnessError(f"{target.url}: the server did not answer "
                                   f"{'initialize' if opts.revision.traits.resumable else 'server/discover'}")
            info = server_info(opened)
            run.screen.say(f"connected to {info.get('name', '?')} {info.get('version', '')} at {opts.revision.value}")
            tools = await _tools(client)
            tool = find_tool(tools, opts.tool) if opts.tool else (
                await pick_tool(tools, run.screen.ask, run.screen.say) if opts.interactive else None)
            if tool is None:
                names = ", ".join(str(t.get("name")) for t in tools)
                raise UsageError(f"no TOOL given and no terminal to pick one (the server has: {names})")
            schema = tool.get("inputSchema") or {}
            arguments = arguments_from_flags(opts.args_json, opts.arg_pairs, schema)
            if opts.interactive:
                # arguments given on the command line: only what is missing and required is asked
                arguments = await prompt_fields(schema, arguments, run.screen.ask, run.screen.say, fill_defaults=False,
                                                only_required=bool(opts.args_json or opts.arg_pairs))
            elif missing_required(schema, arguments):
                raise UsageError(f"{tool['name']}: missing required argument(s) "
                                 f"{', '.join(missing_required(schema, arguments))} (give --args or --arg)")
            st.tool, st.arguments = str(tool["name"]), arguments
            run.save()
            run.screen.say(f"calling {st.tool} {arguments}")
            out = await run.call(client, st.tool, arguments)
            got = show_result(run.screen, out)
            await run.twin(client, out)
            return run.finish(out, got)
    finally:
        await target.stop()


async def resume_call(path: Path, opts: CallOptions, target: str | None) -> int:
    """After a kill: the tokens from the state file, the history so far; the call brought to its end."""
    st = load_state(path)
    records = load_history(Path(st.history))
    opts.state = path
    opts.revision = Revision(st.revision)
    opts.task = opts.task or bool(st.extra.get("task")) or st.task_id is not None  # the capability it declared
    run = HostRun(opts, st, records)
    if st.done:
        run.screen.say(f"the call of {st.tool} in {path} had already finished")
    for x in sorted({r.x for r in records if isinstance(r, Request)} - {r.x for r in records if isinstance(r, End)}):
        run.history.append(End(x=x, reason="client-close", detail="the client process stopped here (killed); "
                                                                   "resumed from its state file"))
    run.history.note("faultline call --resume: the client resumes from its state file", state=str(path))
    upstream = target or st.upstream
    async with run.connection(upstream) as client:
        client.session_id, client.protocol_version = st.session_id, st.protocol_version or st.revision
        sent = [r.body["id"] for r in records if isinstance(r, Request) and isinstance(r.body, dict)
                and isinstance(r.body.get("id"), int)]
        client._ids = max([st.next_id, *sent])
        client.seen = run.history.events()
        if st.done:
            out = None
        elif st.task_id:
            run.screen.say(f"re-polling task {st.task_id} to its end")
            out = await run.follow_task(client, st.task_id, None)
        elif client.revision.traits.resumable and st.stream and st.last_event_id:
            run.screen.say(f"resuming {st.tool} (request {st.rpc_id}, session {st.session_id}) from event "
                           f"{st.last_event_id}; {st.shown} progress notification(s) shown before")
            run.screen.start(st.tool)
            try:
                out = await client.resume(st.stream, st.last_event_id, deadline=opts.deadline)
                out.tool = (st.tool, st.arguments)
                run.events_before_cut = sum(1 for e in records if isinstance(e, SseEvent) and e.stream == st.stream)
                out = await run.recover(client, out)
            finally:
                run.screen.stop()
        else:
            why = ("no event id was stored" if client.revision.traits.resumable else
                   "this revision has no Last-Event-ID (a closed response stream cancels the call)")
            run.screen.say(f"{why}: re-issuing the call of {st.tool}")
            out = await run.call(client, st.tool, st.arguments)
        if out is None:
            return _judge_only(run)
        got = show_result(run.screen, out)
        await run.twin(client, out)
        return run.finish(out, got)


def _judge_only(run: HostRun) -> int:
    found = verdicts.judge(run.history, run.screen.say)
    run.history.close()
    return 1 if verdicts.any_fail(found) else 0


__all__ = ["CallOptions", "new_call", "resume_call", "UrlTarget"]
