from __future__ import annotations

from mcp.server.mcpserver import Context

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant


class ProgressRequestIdToken(Behaviour):
    async def send_step_progress(self, ctx: Context, value: float, step: int, steps: int, send: Action) -> None:
        await ctx.session.send_progress_notification(ctx.request_id, value, steps, f"step {step}/{steps}",
                                                     related_request_id=ctx.request_id)


MUTANT = Mutant(
    "progress-request-id-token",
    "long_running_agent reports progress under the JSON-RPC request id, not the client's progressToken",
    hook="send_step_progress", behaviour=ProgressRequestIdToken,
    requirements=("progress.token.active",), scenarios=("progress-latency-slicer",))
