"""Mutants: the reference agents with ONE known bug each, for the kill matrix.

`faultline agents --mutant NAME` / `running_agents(mutant=NAME)`. Each name maps to a one-line
description; the code that implements a mutant tests `runtime.mutant == NAME` (agents) or
`transport.mutant == NAME` (transport.py) or `config.mutant == NAME` (server.py) at the one
place the bug lives, so the clean path stays the default and each bug is a small, named change.
"""

from __future__ import annotations

MUTANTS: dict[str, str] = {
    "replay-handoff-gap": "resume uses the SDK's stock replay: events stored between the replay snapshot "
                          "and going live are never delivered (SDK bug B)",
    "duplicate-id-accepted": "a POST reusing a request id still in flight is accepted, not refused with 409 "
                             "(SDK bug F)",
    "no-origin-check": "requests with a non-local Origin header are served instead of refused with 403",
    # replay (transport.py `_replay_events` / `_mutate_snapshot`)
    "replay-cross-stream": "a resume also replays the later events of the session's OTHER streams",
    "replay-cross-session": "a Last-Event-ID of another session is honoured: its events are replayed (SDK bug A)",
    "replay-skip-first": "a resume skips the first event after Last-Event-ID",
    "replay-duplicate-last": "a resume replays the Last-Event-ID event itself again before the rest",
    "unknown-id-replays-all": "an unknown Last-Event-ID replays every event of the session instead of a 400",
    "resume-never-ends": "a resume is answered 200 + text/event-stream and then nothing, for ever (no replay, "
    "no response, no end)",
    "response-held-open": "a resume replays the rest of the stream and its response, then holds the stream open "
    "(the SDK's bug D)",
    "replay-out-of-order": "a resume swaps the first two replayed events",
    "handoff-loses-events": "a resume loses the last event stored before the hand-off to live delivery",
    # stream framing (transport.py)
    "no-priming": "POST streams start without a priming event (id + empty data)",
    "close-without-retry": "the server closes a stream on purpose without sending `retry` first",
    "response-twice": "the response is stored (and replayed) twice on its stream",
    "disconnect-ignored-2026": "on 2026-07-28 a closed response stream does not cancel long_running_agent: the "
                               "run completes and counts in `job_runs_completed`",
    "disconnect-cancels-2025": "a client disconnect on 2025-11-25 cancels the call: the resume gets an error",
    "progress-after-response": "a progress notification follows the response on its stream (event_store.py)",
    # progress (long_running.py)
    "progress-not-increasing": "long_running_agent reports step 2 again instead of step 3",
    "progress-request-id-token": "long_running_agent reports progress under the JSON-RPC request id, not the "
                                 "client's progressToken",
    "notifications-on-get-stream": "long_running_agent sends its progress on the standalone GET stream, not "
                                   "on the request's own stream",
    # interaction (travel.py, research.py)
    "elicitation-decline-hangs": "travel_agent waits forever after the user declines or cancels",
    "sampling-error-hangs": "research_agent waits forever after the client rejects or fails sampling",
    # sessions and headers (transport.py, server.py)
    "terminated-session-accepted": "DELETE answers 200 but the session keeps being served",
    "version-header-ignored": "an unsupported MCP-Protocol-Version is served as 2025-11-25 instead of a 400",
    # resources (resources.py, runtime.py `save`, server.py)
    "resource-no-update": "a booking or report changes status but notifications/resources/updated is never sent "
                          "(2025 GET stream and 2026 listen streams)",
    "resource-update-before-commit": "notifications/resources/updated is sent before the new status is committed: "
                                     "a read right after it still sees the old status",
    "resource-update-after-unsubscribe": "resources/unsubscribe answers {} but the session keeps getting "
                                         "notifications/resources/updated for that URI",
    "resource-unknown-empty": "resources/read of an unknown URI answers empty `contents` instead of error -32602",
    "resource-lost-on-restart": "bookings and reports are kept in memory only: gone after a restart even with "
                                "--store sqlite:PATH",
    "listen-no-ack": "2026 subscriptions/listen sends notifications/resources/updated for the requested URIs "
                     "before the acknowledgment",
    "listen-unrequested": "2026 subscriptions/listen delivers every change notification, also types and URIs "
                          "the stream did not ask for",
    # tasks (task_protocol.py, tasks.py)
    "task-first-not-working": "a new task is announced `submitted` (SEP-1686's draft) instead of `working`",
    "task-terminal-reopens": "the first tasks/get of a finished task shows it `working` again (re-run), then "
                             "finished",
    "task-result-drift": "a task's result loses its structuredContent: not what the synchronous call returns",
    "task-cancel-terminal-ok": "2025 tasks/cancel of a finished task answers the task instead of error -32602",
    "task-unnegotiated": "2026 task-capable tools answer with a task even when the request did not declare the "
                         "tasks extension",
    "task-input-unrelated": "2025 a task's elicitation/sampling request on tasks/result lacks the related-task "
                            "_meta",
    "task-unknown-id-internal": "tasks/get|result|cancel of an unknown task id answer -32603 (a leaked lookup "
                                "error) instead of -32602",
    "task-timestamps-epoch": "2025 tasks/get gives createdAt as seconds since the epoch, not an ISO 8601 string",
    "task-get-no-result": "2026 tasks/get of a completed task leaves out its `result` (as if tasks/result existed)",
    "task-ack-returns-task": "2026 tasks/cancel acknowledges with the task (2025's answer) instead of an empty result",
    "task-create-lazy": "a task is announced (CreateTaskResult) before it is stored: tasks/get finds it only 0.5 s "
                        "later",
    "task-lost-on-restart": "tasks are kept in memory only: gone after a restart even with --store sqlite:PATH",
    "task-progress-after-terminal": "2025 a task's progress ticker keeps sending progress after the task finished",
}


def check_mutant(name: str | None) -> str | None:
    """The name if known (or None); ValueError with one line listing the known names otherwise."""
    if name is None or name in MUTANTS:
        return name
    raise ValueError(f"unknown mutant {name!r}; known: {', '.join(sorted(MUTANTS))}")
