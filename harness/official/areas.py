"""Requirement areas: where an official scenario and a Faultline requirement look at the same thing."""

from __future__ import annotations

# Official 0.1.16 server scenario → area (official-suite notes §3).
OFFICIAL_AREAS: dict[str, str] = {
    "server-initialize": "lifecycle",
    "ping": "lifecycle",
    "logging-set-level": "logging",
    "tools-call-with-logging": "logging",
    "completion-complete": "completion",
    "tools-list": "tools",
    "tools-call-simple-text": "tools",
    "tools-call-image": "tools",
    "tools-call-audio": "tools",
    "tools-call-embedded-resource": "tools",
    "tools-call-mixed-content": "tools",
    "tools-call-error": "tools",
    "json-schema-2020-12": "tools",
    "tools-call-with-progress": "progress",
    "tools-call-sampling": "sampling",
    "tools-call-elicitation": "elicitation",
    "elicitation-sep1034-defaults": "elicitation",
    "elicitation-sep1330-enums": "elicitation",
    "server-sse-polling": "resumability",
    "server-sse-multiple-streams": "streams",
    "resources-list": "resources",
    "resources-read-text": "resources",
    "resources-read-binary": "resources",
    "resources-templates-read": "resources",
    "resources-subscribe": "resources",
    "resources-unsubscribe": "resources",
    "prompts-list": "prompts",
    "prompts-get-simple": "prompts",
    "prompts-get-with-args": "prompts",
    "prompts-get-embedded-resource": "prompts",
    "prompts-get-with-image": "prompts",
    "dns-rebinding-protection": "origin",
}

# Faultline requirement id prefix → area (longest prefix wins).
FAULTLINE_AREAS: dict[str, str] = {
    "elicit.": "elicitation",
    "sampling.": "sampling",
    "progress.": "progress",
    "http.origin.": "origin",
    "http.resume.": "resumability",
    "http.sse.": "resumability",
    "http.disconnect.": "streams",
    "http.post.": "streams",
    "http.session.": "lifecycle",
    "http.version.": "lifecycle",
    "life.": "lifecycle",
    "rpc.": "lifecycle",
    "mrtr.": "mrtr (2026-07-28)",
    "harness.": "(scenario not run)",  # e.g. a role the profile lacks, or a target that cannot restart
    "harness.outcome.": "streams",  # a call that ended without a response or a status (indeterminate)
    "resources.": "resources",
    "subs.": "resources",
    "tasks.": "tasks",
    "harness.tasks.": "tasks",
    "progress.task.": "tasks",
}

AREA_ORDER = ("lifecycle", "tools", "resources", "prompts", "completion", "logging", "progress", "sampling",
              "elicitation", "streams", "resumability", "tasks", "origin", "mrtr (2026-07-28)", "other",
              "(scenario not run)")


def official_area(scenario: str) -> str:
    return OFFICIAL_AREAS.get(scenario, "other")


def faultline_area(requirement: str) -> str:
    best = ""
    for prefix in FAULTLINE_AREAS:
        if requirement.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return FAULTLINE_AREAS[best] if best else "other"
