"""research_agent: progress steps, then a sampling request for the summary, then the report.

2025-11-25: a live `sampling/createMessage` on the call's own SSE stream.
2026-07-28: an `InputRequiredResult` (key `summary`) and a retry carrying the `CreateMessageResult`.
Whatever happens (reject -1, another error, no sampling capability) the tool finishes with a
result; the report (`research://reports/{id}`) moves researching -> summarizing ->
done | summary_unavailable.
"""

from __future__ import annotations

import json

import anyio
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

TOTAL = 4
KEY = "summary"
MAX_TOKENS = 300


def _prompt(topic: str, findings: list[str]) -> str:
    return f"Summarise these findings about {topic} in two sentences:\n" + "\n".join(f"- {f}" for f in findings)


def _findings(topic: str) -> list[str]:
    return [f"{topic}: three recent surveys agree on the main trend",
            f"{topic}: one dissenting study with a small sample", f"{topic}: open questions remain on cost"]


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    @mcp.tool(description="Research a topic: progress, then asks your model for a summary (sampling).")
    async def research_agent(topic: str, ctx: Context) -> CallToolResult | InputRequiredResult:
        state = load_state(ctx) if is_modern(ctx) else None
        if state is not None:  # 2026 retry round
            answer = (ctx.input_responses or {}).get(KEY)
            if not isinstance(answer, CreateMessageResult):
                return _ask(state["report_id"], state["topic"])
            return await _finish(rt, ctx, state["report_id"], state["topic"], summary=_text(answer))

        report_id = new_id()
        uri = REPORT_URI.format(id=report_id)
        await rt.save("report", report_id, "researching", topic=topic, uri=uri)
        findings = _findings(topic)
        for i, finding in enumerate(findings, start=1):
            await ctx.report_progress(i, TOTAL, f"report {uri}: {finding}" if i == 1 else finding)
            await rt.step()
        await rt.save("report", report_id, "summarizing", findings=findings)
        caps = ctx.client_capabilities
        if caps is None or caps.sampling is None:
            return await _finish(rt, ctx, report_id, topic,
                                 why="the client did not declare the sampling capability")
        if is_modern(ctx):
            return _ask(report_id, topic)
        try:
            answer = await ctx.session.create_message(
                [SamplingMessage(role="user", content=TextContent(type="text", text=_prompt(topic, findings)))],
                max_tokens=MAX_TOKENS, related_request_id=ctx.request_id)
        except MCPError as exc:
            if rt.mutant == "sampling-error-hangs":  # mutant: a failed sampling leaves the tool waiting for ever
                await anyio.sleep_forever()
            code, msg = exc.error.code, exc.error.message
            why = (f"the client rejected the sampling request ({code}: {msg})" if code == -1
                   else f"the sampling request failed ({code}: {msg})")
            return await _finish(rt, ctx, report_id, topic, why=why)
        return await _finish(rt, ctx, report_id, topic, summary=_text(answer))


def _text(answer: CreateMessageResult) -> str:
    content = answer.content
    return content.text if isinstance(content, TextContent) else f"[{getattr(content, 'type', 'non-text')} summary]"


def _ask(report_id: str, topic: str) -> InputRequiredResult:
    request = CreateMessageRequest(params=CreateMessageRequestParams(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=_prompt(topic, _findings(topic))))],
        max_tokens=MAX_TOKENS))
    return InputRequiredResult(input_requests={KEY: request},
                               request_state=json.dumps({"report_id": report_id, "topic": topic}))


async def _finish(rt: AgentRuntime, ctx: Context, report_id: str, topic: str, *, summary: str | None = None,
                  why: str | None = None) -> CallToolResult:
    uri = REPORT_URI.format(id=report_id)
    link = (uri, f"report-{report_id}")
    await ctx.report_progress(TOTAL, TOTAL, f"report {report_id} written")
    if summary is not None:
        await rt.save("report", report_id, "done", summary=summary)
        return result(f"Research on {topic} done (report {report_id}, {uri}). Summary: {summary}",
                      structured={"report_id": report_id, "status": "done", "summary": summary, "uri": uri},
                      link=link)
    await rt.save("report", report_id, "summary_unavailable", reason=why)
    return result(f"Research on {topic} done (report {report_id}, {uri}), but the summary was unavailable: {why}.",
                  structured={"report_id": report_id, "status": "summary_unavailable", "reason": why, "uri": uri},
                  link=link)
