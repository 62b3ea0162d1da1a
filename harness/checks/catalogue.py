"""Where each check's requirement id comes from, in one place.

Most ids are rows of the requirement catalogue (`../shared/notes/requirements.md`: id, level, revisions,
source, quote, detection). The ids below are beyond it: the catalogue has no row for them (it predates a revision's
text, or it leaves the rule as background), so a check carrying one says here which text it judges. And where a
check's level is not its row's, why. tests/checks/test_catalogue.py holds every registered check to the catalogue
or to these two tables, and the tables to the checks (no stale entry).
"""

from __future__ import annotations

BEYOND_CATALOGUE: dict[str, str] = {
    "harness.outcome.determinate": "Faultline's rule after Jepsen: a call the client waited on ends with a "
                                   "response or an HTTP refusal, or the run says it cannot tell (ERROR)",
    "harness.mrtr.resend": "Faultline's rule on the 2026 MRTR workflow (each round is an independent request; a "
                           "closed stream cancels only its own round)",
    "harness.tasks.result-exact": "Faultline's rule over SEP-2663: a completed task's result equals an undisturbed "
                                  "synchronous call's",
    "rpc.shape": "JSON-RPC 2.0 message shape (2025 lifecycle: every message MUST follow JSON-RPC 2.0); the "
                 "catalogue takes it as given",
    "load.isolation": "JSON-RPC 2.0 § 5 (a response answers the request whose id it carries), judged across the "
                      "clients of `faultline load`",
    "http.post.one-response": "2025 transports § Sending Messages and JSON-RPC 2.0 § 5: one response to one "
                              "request (the catalogue's response-terminates row covers what follows it)",
    "http.resume.order": "2025 transports § Resumability and Redelivery: replayed in the order the messages would "
                         "have been sent (the catalogue's no-gaps and no-duplicates rows cover loss and repeats)",
    "ver.server-info": "2026-07-28 basic/index § _meta: servers SHOULD identify themselves in each result's _meta "
                       "(the official suite 0.2's sep-2575-server-identifies-in-result-meta)",
    "mrtr.validate-input": "2026-07-28 MRTR § Error Handling: servers SHOULD validate the inputResponses of a "
                           "retry (the official suite 0.2's sep-2322-validate-input-responses)",
    "resources.updated.notified": "2025 resources § Subscriptions: a subscribed resource's change is notified",
    "resources.updated.after-commit": "2025 resources § Subscriptions: the notification says the resource changed, "
                                      "so a read after it sees the change",
    "resources.updated.only-subscribed": "2025 resources § Subscriptions: updates for the subscribed resources only",
    "resources.list-changed": "2025 resources § List Changed Notification (servers that declared listChanged)",
    "resources.read.unknown": "2026-07-28 resources § Error Handling: a read of a resource that does not exist is "
                              "answered with an error",
    "resources.status.forward": "Faultline's durability rule: reads of one resource never go back to an older "
                                "state, across sessions, resumes and restarts",
}

# requirement id -> (the check's level, why it is not the catalogue row's)
LEVEL_DEVIATIONS: dict[str, tuple[str, str]] = {
    "tasks.ttl.retention": ("implied (SHOULD NOT)", "the spec's words are a MAY (\"receivers MAY delete the task "
                            "and its results\" once the TTL has elapsed): deleting earlier is implied against, not a "
                            "MUST NOT the text states, so a finding WARNs"),
    "tasks.ext.state.terminal": ("implied (SHOULD NOT)", "SEP-2663 has no transition table (the row's own "
                                 "detection column says WARN): clients SHOULD poll until a terminal status"),
}
