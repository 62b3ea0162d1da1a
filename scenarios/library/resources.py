"""Durable results as resources: subscribe, poll, and keep them across cuts and restarts.

The `resource` role is a tool whose resource changes while it runs and which pauses on a form
elicitation (the reference travel_agent: booking pending → awaiting_confirmation → confirmed |
cancelled). The client learns the URI from the first progress message that names one, and acts
while the server waits for the user's answer (`Answers.before`): subscribe (2025-11-25) or listen
(2026-07-28), read, then answer. Every read and notification lands in the history; the checks in
harness/checks/resources.py judge them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import anyio
from anyio.abc import TaskGroup

from scenarios.api import (
    JSON,
    RESOURCE,
    Answers,
    Client,
    NotApplicable,
    Revision,
    ScenarioBody,
    ScenarioContext,
    scenario,
)

URI = re.compile(r"[a-z][a-z0-9+.-]*://[^\s,;]+")
UPDATED = "notifications/resources/updated"
LIST_CHANGED = "notifications/resources/list_changed"
ACK = "notifications/subscriptions/acknowledged"
CHECKS = ("resources.updated.notified", "resources.updated.after-commit", "resources.status.forward",
          "resources.list-changed", "subs.ack-first", "subs.id-on-every", "subs.filter")


def uri_named(c: Client) -> str | None:
    """The first URI a progress message of this client's streams named."""
    for params in c.received("notifications/progress"):
        m = URI.search(str(params.get("message") or ""))
        if m:
            return m.group(0).rstrip(":.")
    return None


def _learn(c: Client, found: dict[str, Any]) -> str | None:
    """At the user's question: the URI the tool named so far, remembered in `found` (None if none yet)."""
    uri = uri_named(c)
    if uri is not None:
        found["uri"] = uri
    return uri


def _of(uri: str) -> Callable[[JSON], bool]:
    return lambda params: params.get("uri") == uri


async def _subscribe_and_read(c: Client, streams: TaskGroup, ctx: ScenarioContext, uri: str, *,
                              lose_listen: bool = False) -> None:
    """Subscribe to `uri` (2025: resources/subscribe; 2026: a listen stream in `streams`, or with `lose_listen`
    one the client loses right after its acknowledgment), then read it."""
    await c.subscribe(uri, streams, lose_stream=lose_listen)
    await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(5))


def subscribed_booking(outcome: str) -> ScenarioBody:
    """The body of resource-subscribe-<outcome> (also a library move of the fuzzer's schedules)."""
    async def play(ctx: ScenarioContext) -> None:
        tool, args = ctx.role(RESOURCE)
        found: dict[str, Any] = {}

        async with anyio.create_task_group() as streams:
            async def before(method: str, params: dict[str, Any]) -> None:
                uri = _learn(c, found)
                if uri is None:
                    return  # (no URI: NotApplicable after the call, not from inside the answer)
                await _subscribe_and_read(c, streams, ctx, uri)
                found["mark"] = c.mark()
                streams.start_soon(react, uri, found["mark"])

            async def react(uri: str, mark: int) -> None:
                """A client that reads as soon as it is told the resource changed (while the call still runs)."""
                try:
                    if await c.notified(UPDATED, ctx.deadline(10), since=mark, where=_of(uri)) is None:
                        ctx.note("no update notification for the final change within the deadline", uri=uri)
                    else:
                        await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(5))
                finally:
                    reacted.set()

            reacted = anyio.Event()
            answers = Answers(elicitation="accept" if outcome == "confirmed" else "decline",
                              elicitation_content={"confirm": True} if outcome == "confirmed" else None, before=before)
            async with ctx.client("A", answers=answers) as c:
                await c.open()
                await c.watch_resources(streams)  # 2025: the GET stream; 2026: a listen stream for list changes
                await c.call("resources/list", {}, deadline=ctx.deadline(5))
                await c.call_tool(tool, args, progress_token=f"resource-{outcome}", deadline=ctx.deadline(20))
                if "uri" not in found:
                    raise NotApplicable("the resource tool asked the user nothing or named no URI in its progress, "
                                        "so there was no moment to subscribe")
                uri = found["uri"]
                with anyio.move_on_after(ctx.deadline(15)):
                    await reacted.wait()
                await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(5))
                await c.call("resources/list", {}, deadline=ctx.deadline(5))
                streams.cancel_scope.cancel()
    return play


for _outcome in ("confirmed", "cancelled"):
    scenario(f"resource-subscribe-{_outcome}", "Subscribe to the booking the resource tool creates (2025: "
             "resources/subscribe, updates on the GET stream; 2026: subscriptions/listen), read it, answer the "
             f"user's question so it ends {_outcome}: every change is notified after it is readable.",
             roles=(RESOURCE,), checks=CHECKS, tags=("resource", "durability"))(subscribed_booking(_outcome))


@scenario("resource-unsubscribe", "Subscribe to the booking, then unsubscribe before the user answers: the "
          "final change must not be notified.",
          revisions=(Revision.R2025,), roles=(RESOURCE,), checks=("resources.updated.only-subscribed",),
          tags=("resource", "long"))
async def resource_unsubscribe(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(RESOURCE)
    found: dict[str, Any] = {}

    async def before(method: str, params: dict[str, Any]) -> None:
        uri = _learn(c, found)
        if uri is None:
            return
        await c.call("resources/subscribe", {"uri": uri}, deadline=ctx.deadline(5))
        await c.call("resources/unsubscribe", {"uri": uri}, deadline=ctx.deadline(5))
        found["mark"] = c.mark()

    async with anyio.create_task_group() as streams:
        async with ctx.client("A", answers=Answers(elicitation="accept", elicitation_content={"confirm": True},
                                                   before=before)) as c:
            await c.open()
            await c.watch_resources(streams)
            await c.call_tool(tool, args, progress_token="unsubscribed", deadline=ctx.deadline(20))
            if "uri" not in found:
                raise NotApplicable("the resource tool asked the user nothing or named no URI in its progress")
            if "uri" in found:
                # a bounded wait for what must NOT come: the final change after the unsubscribe
                await c.notified(UPDATED, ctx.deadline(1), since=found["mark"], where=_of(found["uri"]))
                await c.call("resources/read", {"uri": found["uri"]}, deadline=ctx.deadline(5))
            streams.cancel_scope.cancel()


@scenario("resource-unknown-uri", "Read a resource URI the server never created: a JSON-RPC error -32602 "
          "(2025-11-25 also allows -32002), never an empty `contents`.",
          roles=(RESOURCE,), checks=("resources.read.unknown",), tags=("resource",))
async def resource_unknown_uri(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(RESOURCE)
    async with ctx.client("A", answers=Answers(elicitation="decline")) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="unknown-uri", deadline=ctx.deadline(20))
        uri = uri_named(c)
        if uri is None:
            raise NotApplicable("the resource tool named no URI in its progress messages")
        unknown = uri.rstrip("/").rsplit("/", 1)[0] + "/faultline-never-created"
        ctx.note("read a URI the server never created", unknown_uri=unknown)
        await c.call("resources/read", {"uri": unknown}, deadline=ctx.deadline(5), purpose="unknown-resource")


@scenario("resource-restart", "Kill the server (SIGKILL) while the booking waits for the user, start it "
          "again on its durable store, and poll resources/read: the booking is still there, at the status it "
          "had or a later one.",
          roles=(RESOURCE,), checks=("resources.status.forward",), tags=("resource", "durability", "restart"))
async def resource_restart(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(RESOURCE)
    found: dict[str, Any] = {}

    async def before(method: str, params: dict[str, Any]) -> None:
        uri = _learn(c, found)
        if uri is None:
            return
        await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(5))
        await ctx.restart_target()

    async with ctx.client("A", answers=Answers(elicitation="accept", elicitation_content={"confirm": True},
                                               before=before)) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="restart", deadline=ctx.deadline(20))
    if "uri" not in found:
        raise NotApplicable("the resource tool asked the user nothing or named no URI in its progress, so there "
                            "was no moment to restart")
    async with ctx.client("B") as b:
        await b.open()
        await b.call("resources/read", {"uri": found["uri"]}, deadline=ctx.deadline(5))


@scenario("resource-poll-only", "A client that never subscribes: it runs the booking to its end and polls "
          "resources/read; each read shows the same status or a later one, ending at the final one.",
          roles=(RESOURCE,), checks=("resources.status.forward",), tags=("resource",))
async def resource_poll_only(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(RESOURCE)
    found: dict[str, Any] = {}

    async def before(method: str, params: dict[str, Any]) -> None:
        found["uri"] = uri_named(c)
        if found["uri"]:
            await c.call("resources/read", {"uri": found["uri"]}, deadline=ctx.deadline(5))

    async with ctx.client("A", answers=Answers(elicitation="accept", elicitation_content={"confirm": True},
                                               before=before)) as c:
        await c.open()
        await c.call_tool(tool, args, progress_token="poll", deadline=ctx.deadline(20))
        if not found.get("uri"):
            raise NotApplicable("the resource tool named no URI in its progress messages")
        for _ in range(2):
            await c.call("resources/read", {"uri": found["uri"]}, deadline=ctx.deadline(5))


@scenario("resource-cut-updates", "Cut the stream that carries the updates, let the booking change while it is "
          "down, then resume it with Last-Event-ID (2025) or listen again (2026) and read: the change is "
          "delivered (2025) and never lost (both).",
          roles=(RESOURCE,), checks=("resources.updated.notified", "resources.status.forward"),
          tags=("resource", "resume"))
async def resource_cut_updates(ctx: ScenarioContext) -> None:
    tool, args = ctx.role(RESOURCE)
    found: dict[str, Any] = {}

    async with anyio.create_task_group() as streams:
        async def before(method: str, params: dict[str, Any]) -> None:
            uri = _learn(c, found)
            if uri is None:
                return
            await _subscribe_and_read(c, streams, ctx, uri, lose_listen=True)
            found["mark"] = c.mark()

        async with ctx.client("A", answers=Answers(elicitation="accept", elicitation_content={"confirm": True},
                                                   before=before)) as c:
            await c.open()
            lost = await c.watch_resources(streams, cut_after=1)  # 2025: the GET stream, cut; 2026: none yet
            await c.call_tool(tool, args, progress_token="cut-updates", deadline=ctx.deadline(20))
            if "uri" not in found:
                raise NotApplicable("the resource tool asked the user nothing or named no URI in its progress")
            uri = found["uri"]
            ctx.note("the booking changed while the update stream was down; recover it", uri=uri)
            await c.recover_updates(lost, uri, streams, since=found["mark"])  # resume it (2025), listen again (2026)
            await c.call("resources/read", {"uri": uri}, deadline=ctx.deadline(5))
            streams.cancel_scope.cancel()
