from __future__ import annotations

from mcp.server.streamable_http import StreamableHTTPServerTransport
from starlette.requests import Request
from starlette.types import Send

from reference_agents.behaviour import Action, Behaviour
from reference_agents.mutants._mutant import Mutant
from reference_agents.transport import AgentsTransport


class ReplayHandoffGap(Behaviour):
    async def resume_stream(self, transport: AgentsTransport, last_event_id: str, request: Request, send: Send,
                            serve: Action) -> None:
        """The SDK's stock replay: snapshot, then register the live stream; what is stored in between is lost.

        The gap itself is microseconds wide without tests/agents/test_agents_resume.py's gates, so no
        scenario hits it reliably; what the kill matrix catches is the same stock path's other fault: a
        resume that goes live is held open after its response (http.post.response-terminates, a WARN). A
        burst of events resumed while it is still being stored does hit it (http.resume.no-gaps): the
        fuzzer's standalone_burst_cut move, two replays of three in the fuzz bench."""
        await StreamableHTTPServerTransport._replay_events(transport, last_event_id, request, send)


MUTANT = Mutant(
    "replay-handoff-gap",
    "resume uses the SDK's stock replay: events stored between the replay snapshot and going live are "
    "never delivered (SDK bug B)",
    hook="resume_stream", behaviour=ReplayHandoffGap,
    requirements=("http.post.response-terminates", "http.resume.no-gaps"), scenarios=("disconnect-not-cancel",))
