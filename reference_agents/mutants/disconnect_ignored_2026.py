from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from mcp.server.mcpserver import Context

from reference_agents.behaviour import Behaviour, T
from reference_agents.mutants._mutant import Mutant
from reference_agents.runtime import is_modern


class DisconnectIgnored_2026(Behaviour):
    async def run_long_call(self, ctx: Context, work: Callable[[float], Awaitable[T]]) -> T:
        """2026: shielded from the call's cancellation; its notifications give up after 20 ms each."""
        if is_modern(ctx):
            with anyio.CancelScope(shield=True):
                return await work(0.02)
        return await work(0.02)


MUTANT = Mutant(
    "disconnect-ignored-2026",
    "on 2026-07-28 a closed response stream does not cancel long_running_agent: the run completes and "
    "counts in `job_runs_completed`",
    hook="run_long_call", behaviour=DisconnectIgnored_2026,
    requirements=("http.disconnect.is-cancel",), scenarios=("disconnect-cancels",))
