"""research_agent: progress steps, then a sampling request for the summary, then the report.

2025-11-25: a live `sampling/createMessage` on the call's own SSE stream.
2026-07-28: an `InputRequiredResult` (key `summary`) and a retry carrying the `CreateMessageResult`.
Whatever happens (reject -1, another error, no sampling capability) the tool finishes with a
result; the report (`research://reports/{id}`) moves researching -> summarizing ->
done | summary_unavailable.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CallToolResult,
    CreateMessageRequest,
    CreateMessageRequestParams,
    CreateMessageResult,
    InputRequiredResult,
    SamplingMessage,
    TextContent,
)

from reference_agents.runtime import REPORT_URI, AgentRuntime, is_modern, load_state, new_id, result
from reference_agents.travel import Progress

TOTAL = 4
KEY = "summary"
MAX_TOKENS = 300


def _prompt(topic: str, findings: list[str]) -> str:
    return f"Summarise these findings about {topic} in two sentences:\n" + "\n".join(f"- {f}" for f in findings)


def findings_of(topic: str) -> list[str]:
    return [f"{topic}: three recent surveys agree on the main trend",
            f"{topic}: one dissenting study with a small sample", f"{topic}: open questions remain on cost"]


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    @mcp.tool(description="Research a topic: progress, then asks your model for a summary (sampling). "
                          "`idempotency_key`: a re-sent call with the same key continues the same report.")
    async def research_agent(topic: str, ctx: Context, idempotency_key: str = "") -> CallToolResult | InputRequiredResult:
        progress = ctx.report_progress
        state = load_state(ctx) if is_modern(ctx) else None
        if state is not None:  # 2026 retry round
            answer = (ctx.input_responses or {}).get(KEY)
            if not isinstance(answer, CreateMessageResult):
                return _ask(state["report_id"], state["topic"])
            return await finish(rt, progress, state["report_id"], state["topic"], summary=text_of(answer))

        report_id = report_id_for(idempotency_key) if idempotency_key else new_id()
        done = await start_report(rt, report_id, topic)
        if done is not None:
            return done
        for i, message in enumerate(research_steps(report_id, topic), start=1):
            await progress(i, TOTAL, message)
            await rt.step()
        await rt.save("report", report_id, "summarizing", findings=findings_of(topic))
        caps = ctx.client_capabilities
        if caps is None or caps.sampling is None:
            return await finish(rt, progress, report_id, topic,
                                 why="the client did not declare the sampling capability")
        if is_modern(ctx):
            return _ask(report_id, topic)
        try:
            answer = await ctx.session.create_message(summary_request(topic).params.messages,
                                                      max_tokens=MAX_TOKENS, related_request_id=ctx.request_id)
        except MCPError as exc:
            await rt.behaviour.after_sampling_failed()
            return await finish(rt, progress, report_id, topic, why=sampling_failed(exc))
        return await finish(rt, progress, report_id, topic, summary=text_of(answer))


def report_id_for(idempotency_key: str) -> str:
    return "r" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:11]


def research_steps(report_id: str, topic: str) -> list[str]:
    uri = REPORT_URI.format(id=report_id)
    return [f"report {uri}: {f}" if i == 0 else f for i, f in enumerate(findings_of(topic))]


def sampling_failed(exc: MCPError) -> str:
    code, msg = exc.error.code, exc.error.message
    return (f"the client rejected the sampling request ({code}: {msg})" if code == -1
            else f"the sampling request failed ({code}: {msg})")


async def start_report(rt: AgentRuntime, report_id: str, topic: str) -> CallToolResult | None:
    """Create the report, or find it again for a re-sent call: a finished report is answered as it is."""
    old = rt.storage.get_record("report", report_id)
    if old is not None and old.status in ("done", "summary_unavailable"):
        return report_result(report_id, old.status, old.data)
    if old is None:
        await rt.save("report", report_id, "researching", topic=topic, uri=REPORT_URI.format(id=report_id))
    return None


def text_of(answer: CreateMessageResult) -> str:
    content = answer.content
    return content.text if isinstance(content, TextContent) else f"[{getattr(content, 'type', 'non-text')} summary]"


def summary_request(topic: str) -> CreateMessageRequest:
    return CreateMessageRequest(params=CreateMessageRequestParams(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=_prompt(topic, findings_of(topic))))],
        max_tokens=MAX_TOKENS))


def _ask(report_id: str, topic: str) -> InputRequiredResult:
    request = summary_request(topic)
    return InputRequiredResult(input_requests={KEY: request},
                               request_state=json.dumps({"report_id": report_id, "topic": topic}))


async def finish(rt: AgentRuntime, progress: Progress, report_id: str, topic: str, *, summary: str | None = None,
                  why: str | None = None) -> CallToolResult:
    await progress(TOTAL, TOTAL, f"report {report_id} written")
    if summary is not None:
        rec = await rt.save("report", report_id, "done", summary=summary)
    else:
        rec = await rt.save("report", report_id, "summary_unavailable", reason=why)
    return report_result(report_id, rec.status, rec.data)


def report_result(report_id: str, status: str, data: dict[str, Any]) -> CallToolResult:
    uri = REPORT_URI.format(id=report_id)
    link = (uri, f"report-{report_id}")
    topic = data.get("topic")
    if status == "done":
        summary = data.get("summary")
        return result(f"Research on {topic} done (report {report_id}, {uri}). Summary: {summary}",
                      structured={"report_id": report_id, "status": "done", "summary": summary, "uri": uri},
                      link=link)
    why = data.get("reason")
    return result(f"Research on {topic} done (report {report_id}, {uri}), but the summary was unavailable: {why}.",
                  structured={"report_id": report_id, "status": "summary_unavailable", "reason": why, "uri": uri},
                  link=link)
