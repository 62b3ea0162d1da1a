"""2026-07-28: a change of the tool list is announced on the listen streams that asked for it (SEP-2575)."""

from __future__ import annotations

from harness.checks.model import Call, Derived
from harness.checks.registry import Outcome, check
from harness.history import Verdict
from harness.revisions import Revision

TOOLS_CHANGED = "notifications/tools/list_changed"


def _declared(d: Derived) -> bool | None:
    """Did the server declare `tools.listChanged` on server/discover? None: no discover result seen."""
    for c in d.calls:
        if c.method == "server/discover":
            result = (d.response_of(c) or {}).get("result")
            if isinstance(result, dict):
                tools = (result.get("capabilities") or {}).get("tools")
                return isinstance(tools, dict) and tools.get("listChanged") is True
    return None


def _tool_lists(d: Derived) -> list[tuple[Call, int, set[str]]]:
    out = []
    for c in d.calls:
        result = (d.response_of(c) or {}).get("result") if c.method == "tools/list" else None
        if isinstance(result, dict) and isinstance(result.get("tools"), list):
            names = {t.get("name") for t in result["tools"] if isinstance(t, dict)}
            out.append((c, d.response_seq(c) or 0, {str(n) for n in names}))
    return out


@check("tools-list-changed-2026", requirement="tools.list-changed", revisions=(Revision.R2026,), level="SHOULD",
       spec="2026-07-28_server_tools.mdx § List Changed Notification: When the list of available tools changes, "
            "servers that declared the listChanged capability SHOULD send a notification to clients that have "
            "opened a subscriptions/listen stream with toolsListChanged: true")
def tools_list_changed(d: Derived, out: Outcome) -> Verdict:
    """Two tools/list results of one client that differ: every listen stream with toolsListChanged open from
    before the first until after the second carried notifications/tools/list_changed after the first."""
    if _declared(d) is False:
        return out.unseen("the server did not declare tools.listChanged")
    listens = [c for c in d.calls if c.method == "subscriptions/listen"
               and ((c.params.get("notifications") or {}).get("toolsListChanged") is True)]
    lists = _tool_lists(d)
    seen = 0
    for i, (first, first_seq, names) in enumerate(lists):
        later = next(((c, s, n) for c, s, n in lists[i + 1:] if c.client == first.client), None)
        if later is None or later[2] == names:
            continue
        second, second_seq, new_names = later
        for listen in listens:
            end = d.ends.get(listen.xs[0])
            if listen.request.seq > first.request.seq or (end is not None and end.seq < second.request.seq):
                continue  # not listening across the change
            seen += 1
            if not any(e.seq > first_seq and isinstance(e.message, dict) and e.message.get("method") == TOOLS_CHANGED
                       for e in d.events.get(listen.xs[0], [])):
                changed = sorted(names ^ new_names)
                return out.fail(f"tools/list changed ({', '.join(changed)}) and the listen stream {listen.rpc_id} "
                                f"with toolsListChanged heard no {TOOLS_CHANGED}", [first_seq, second_seq])
    return out.ok(f"{seen} tool-list change(s), each announced") if seen else \
        out.unseen("no tool-list change while a listen stream with toolsListChanged was open")
