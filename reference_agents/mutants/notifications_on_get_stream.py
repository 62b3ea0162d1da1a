from __future__ import annotations

from mcp.server.mcpserver import Context

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant


class NotificationsOnGetStream(Behaviour):
    async def send_step_progress(self, ctx: Context, value: float, step: int, steps: int, send: Action) -> None:
        """The client's token, but no related request: the SDK sends it on the standalone GET stream."""
        meta = ctx.request_context.meta or {}
        token = meta.get("progress_token", meta.get("progressToken"))  # type: ignore[union-attr]
        if token is not None:
            await ctx.session.send_progress_notification(token, value, steps, f"step {step}/{steps}")


MUTANT = Mutant(
    "notifications-on-get-stream",
    "long_running_agent sends its progress on the standalone GET stream, not on the request's own stream",
    hook="send_step_progress", behaviour=NotificationsOnGetStream,
    requirements=("http.post.related",), scenarios=("get-stream-unrelated",))
