"""Official check id → the Faultline requirement ids that cover it (hand-kept; the npm package ships no such map).

Built from the check ids the 0.2.0-alpha.12 suite's `checks.json` files emit at 2025-11-25 and 2026-07-28
(and 0.1.16's, a subset) and their `specReferences`. A row maps to a Faultline requirement only when a
server that fails the official check would also fail that requirement once Faultline exercises it
(the same rule, or a stricter one): otherwise a CONFLICT would be a false alarm. `()` is explicitly not
covered: the list to close. A requirement only covers a check at a revision its check applies to
(`covering`). tests/official/test_official_mapping.py holds the table to the registry and to the
recorded runs' check ids.
"""

from __future__ import annotations

NOT_COVERED: tuple[str, ...] = ()

OFFICIAL_TO_FAULTLINE: dict[str, tuple[str, ...]] = {
    # --- lifecycle, schema, utilities (MCP-Initialize, MCP-Ping, MCP-Logging, MCP-Completion, MCP-Schema) --
    "server-initialize": NOT_COVERED,
    "ping": NOT_COVERED,
    "logging-set-level": NOT_COVERED,
    "tools-call-with-logging": NOT_COVERED,
    "completion-complete": NOT_COVERED,
    "wire-schema-valid": NOT_COVERED,  # full JSON Schema of every message; rpc.shape checks the envelope only
    # informational records of server-sse-polling (status INFO, never scored)
    "outgoing-request": NOT_COVERED,
    "incoming-response": NOT_COVERED,
    "incoming-sse-event": NOT_COVERED,
    "stream-closed": NOT_COVERED,
    # --- tools (MCP-Tools-*, SEP-986, SEP-1613, SEP-2106) -------------------------------------------------
    "tools-list": NOT_COVERED,
    "tools-name-format": NOT_COVERED,
    "tools-list-deterministic-order": NOT_COVERED,
    "tools-call-simple-text": NOT_COVERED,
    "tools-call-image": NOT_COVERED,
    "tools-call-audio": NOT_COVERED,
    "tools-call-embedded-resource": NOT_COVERED,
    "tools-call-mixed-content": NOT_COVERED,
    "tools-call-error": NOT_COVERED,
    "json-schema-2020-12-tool-found": NOT_COVERED,
    "json-schema-2020-12-$schema": NOT_COVERED,
    "json-schema-2020-12-$defs": NOT_COVERED,
    "json-schema-2020-12-additionalProperties": NOT_COVERED,
    "sep-2106-anchor-keyword-preserved": NOT_COVERED,
    "sep-2106-composition-keywords-preserved": NOT_COVERED,
    "sep-2106-conditional-keywords-preserved": NOT_COVERED,
    # --- progress (MCP-Progress) ------------------------------------------------------------------------
    "tools-call-with-progress": ("progress.token.active", "progress.monotonic"),
    # --- resources (MCP-Resources-*, SEP-2164) ----------------------------------------------------------
    "resources-list": NOT_COVERED,
    "resources-read-text": NOT_COVERED,
    "resources-read-binary": NOT_COVERED,
    "resources-templates-read": NOT_COVERED,
    "resources-subscribe": ("resources.updated.notified",),  # subscribe, then the update must arrive
    "resources-unsubscribe": ("resources.updated.only-subscribed",),  # unsubscribe, then no update
    "sep-2164-error-code": ("resources.read.unknown",),  # Faultline: -32602 is a MUST at 2026-07-28
    "sep-2164-no-empty-contents": ("resources.read.unknown",),
    "sep-2164-data-uri": NOT_COVERED,
    # --- prompts (MCP-Prompts-*) -----------------------------------------------------------------------
    "prompts-list": NOT_COVERED,
    "prompts-get-simple": NOT_COVERED,
    "prompts-get-with-args": NOT_COVERED,
    "prompts-get-embedded-resource": NOT_COVERED,
    "prompts-get-with-image": NOT_COVERED,
    # --- elicitation and sampling, 2025-11-25 (MCP-Elicitation, MCP-Sampling, SEP-1034, SEP-1330) ---------
    "tools-call-elicitation": ("elicit.form.params",),
    "tools-call-sampling": NOT_COVERED,
    "elicitation-sep1034-string-default": NOT_COVERED,
    "elicitation-sep1034-integer-default": NOT_COVERED,
    "elicitation-sep1034-number-default": NOT_COVERED,
    "elicitation-sep1034-boolean-default": NOT_COVERED,
    "elicitation-sep1034-enum-default": NOT_COVERED,
    "elicitation-sep1330-untitled-single": NOT_COVERED,
    "elicitation-sep1330-titled-single": NOT_COVERED,
    "elicitation-sep1330-untitled-multi": NOT_COVERED,
    "elicitation-sep1330-titled-multi": NOT_COVERED,
    "elicitation-sep1330-legacy-enumnames": NOT_COVERED,
    # --- Streamable HTTP: sessions, SSE, origin (MCP-Session-Management, SEP-1699, MCP-DNS-Rebinding-*) -----
    "server-session-id-visible-ascii": NOT_COVERED,
    "server-session-initialized-accepted": NOT_COVERED,
    "server-session-delete-accepted": NOT_COVERED,  # Faultline: a 405 to DELETE is allowed ("MAY")
    "server-session-terminated-returns-404": ("http.session.terminated-404",),
    "server-sse-priming-event": ("http.sse.priming",),
    "server-sse-retry-field": ("http.sse.retry-before-close",),
    "server-sse-disconnect-resume": ("http.resume.no-gaps",),
    "server-accepts-multiple-post-streams": ("http.post.eventually-response",),
    "server-sse-streams-functional": ("http.post.eventually-response",),
    "localhost-host-rebinding-rejected": NOT_COVERED,  # the suite sends a foreign Host too; Faultline only Origin
    "localhost-host-valid-accepted": NOT_COVERED,
    # --- 2026-07-28 request headers (SEP-2243) ---------------------------------------------------------
    "sep-2243-header-name-case-insensitive": NOT_COVERED,
    "sep-2243-server-accepts-whitespace-header-value": NOT_COVERED,
    "sep-2243-server-reject-error-code": NOT_COVERED,
    "sep-2243-server-reject-invalid-headers": NOT_COVERED,
    "sep-2243-server-decode-base64": NOT_COVERED,
    "sep-2243-server-reject-invalid-param-chars": NOT_COVERED,
    "sep-2243-server-reject-param-mismatch": NOT_COVERED,
    "sep-2243-server-validate-param-match": NOT_COVERED,
    # --- 2026-07-28 caching (SEP-2549) -----------------------------------------------------------------
    "sep-2549-tools-list-caching-hints": NOT_COVERED,
    "sep-2549-prompts-list-caching-hints": NOT_COVERED,
    "sep-2549-resources-list-caching-hints": NOT_COVERED,
    "sep-2549-resources-templates-list-caching-hints": NOT_COVERED,
    "sep-2549-resources-read-caching-hints": NOT_COVERED,
    "sep-2549-ttl-non-negative": NOT_COVERED,
    "sep-2549-cache-scope-valid": NOT_COVERED,
    # --- 2026-07-28 stateless (SEP-2575) ---------------------------------------------------------------
    "sep-2575-server-implements-discover": NOT_COVERED,
    "sep-2575-server-identifies-in-result-meta": ("ver.server-info",),
    "sep-2575-server-declares-prompts-in-discover": NOT_COVERED,
    "sep-2575-discover-capabilities-match-handlers": NOT_COVERED,
    "sep-2575-server-unsupported-version-error": NOT_COVERED,
    "sep-2575-http-server-unsupported-version-400": NOT_COVERED,
    "sep-2575-http-server-header-mismatch-400": NOT_COVERED,
    "sep-2575-http-server-meta-invalid-400": NOT_COVERED,
    "sep-2575-http-server-error-jsonrpc-id": ("http.post.request-content-type",),  # a JSON body's id = the request's
    "sep-2575-http-server-method-not-found-404": NOT_COVERED,
    "sep-2575-http-server-method-not-found-404-initialize": NOT_COVERED,
    "sep-2575-http-server-method-not-found-404-ping": NOT_COVERED,
    "sep-2575-http-server-method-not-found-404-logging-setlevel": NOT_COVERED,
    "sep-2575-http-server-method-not-found-404-resources-subscribe": NOT_COVERED,
    "sep-2575-http-server-method-not-found-404-resources-unsubscribe": NOT_COVERED,
    "sep-2575-http-server-no-independent-requests-on-stream": ("http.post.no-server-requests",),
    "sep-2575-request-meta-client-info-optional": NOT_COVERED,
    "sep-2575-request-meta-invalid-missing-meta": NOT_COVERED,
    "sep-2575-request-meta-invalid-missing-client-capabilities": NOT_COVERED,
    "sep-2575-request-meta-invalid-missing-protocol-version": NOT_COVERED,
    "sep-2575-missing-capability-http-400": NOT_COVERED,
    "sep-2575-server-rejects-undeclared-capability": NOT_COVERED,  # -32021; mrtr.capability is the MUST NOT half
    "sep-2575-server-no-log-without-loglevel": NOT_COVERED,
    "sep-2575-server-sends-subscription-ack": ("subs.ack-first",),
    "sep-2575-server-tags-subscription-id": ("subs.id-on-every",),
    "sep-2575-server-honors-notification-filter": ("subs.filter",),
    "sep-2575-server-sends-tools-list-changed-on-subscription": ("tools.list-changed",),  # both SHOULD, on listen
    "sep-2575-server-sends-prompts-list-changed-on-subscription": NOT_COVERED,
    # --- 2026-07-28 multi-round-trip requests (SEP-2322) -----------------------------------------------
    "sep-2322-result-type-included": ("rpc.result-type",),  # Faultline: every result, every method
    "sep-2322-elicitation-incomplete": ("elicit.form.params",),
    "sep-2322-elicitation-complete": NOT_COVERED,
    "sep-2322-sampling-incomplete": NOT_COVERED,
    "sep-2322-sampling-complete": NOT_COVERED,
    "sep-2322-list-roots-incomplete": NOT_COVERED,
    "sep-2322-list-roots-complete": NOT_COVERED,
    "sep-2322-multiple-inputs-incomplete": NOT_COVERED,
    "sep-2322-multiple-inputs-complete": NOT_COVERED,
    "sep-2322-multi-round-r1": NOT_COVERED,
    "sep-2322-multi-round-r2": NOT_COVERED,
    "sep-2322-multi-round-r3": NOT_COVERED,
    "sep-2322-request-state-incomplete": NOT_COVERED,
    "sep-2322-request-state-complete": NOT_COVERED,
    "sep-2322-reject-tampered-state": ("mrtr.state.integrity",),
    "sep-2322-respect-client-capabilities": ("mrtr.capability",),
    "sep-2322-missing-response-rerequests": ("mrtr.missing-input",),  # both WARN: an error instead of a re-ask
    "sep-2322-ignore-unexpected-params": ("mrtr.missing-input",),  # both WARN: an error for an unknown extra key
    "sep-2322-validate-input-responses": ("mrtr.validate-input",),
    "sep-2322-error-on-protocol-error": ("mrtr.validate-input",),  # Faultline is stricter: no re-ask either
    "sep-2322-non-tool-incomplete": NOT_COVERED,
    "sep-2322-non-tool-complete": NOT_COVERED,
    "sep-2322-not-on-unsupported-requests": ("mrtr.allowed-methods",),
    # --- 2026-07-28 tasks extension (SEP-2663; not scored by the suite) ---------------------------------
    "tasks-extension-advertised": NOT_COVERED,
    "tasks-per-request-meta-opt-in": NOT_COVERED,
    "sep-2663-server-rejects-undeclared-client": ("tasks.ext.requires-capability",),
    "sep-2663-tasks-methods-non-declaring": NOT_COVERED,
    "sep-2663-server-returns-missing-capability-when-required": NOT_COVERED,
    "sep-2663-server-returns-missing-capability-data-shape": NOT_COVERED,
    "sep-2663-result-type-task-on-create": NOT_COVERED,
    "sep-2663-durable-create-strong-consistency": ("tasks.ext.durable-create",),
    "sep-2663-legacy-task-param-ignored": NOT_COVERED,
    "sep-2663-tasks-get-invalid-task-id-32602": ("tasks.ext.errors.unknown-id",),
    "sep-2663-tasks-get-status-working": ("tasks.ext.get.shape",),
    "sep-2663-tasks-get-status-completed": ("tasks.ext.get.shape",),
    "sep-2663-tasks-get-status-failed": ("tasks.ext.get.shape",),
    "sep-2663-tasks-get-status-input-required": ("tasks.ext.get.shape",),
    "sep-2663-tool-error-uses-completed-status": NOT_COVERED,
    "sep-2663-cancel-ack-empty-result": ("tasks.ext.ack-empty",),
    "tasks-cancel-terminal-idempotent-ack": NOT_COVERED,
    "sep-2663-tasks-result-removed-method-not-found": NOT_COVERED,
    "tasks-removed-tasks-list": NOT_COVERED,
    "sep-2663-mrtr-synchronous-before-task-creation": NOT_COVERED,
    "tasks-mrtr-partial-fulfillment": NOT_COVERED,
    "tasks-mrtr-tasks-update-resumes": NOT_COVERED,
    "sep-2663-routing-headers-accepted-on-tasks-get": NOT_COVERED,
    "sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get": NOT_COVERED,
    "tasks-headers-reject-mismatched-method": NOT_COVERED,
    "tasks-headers-tolerate-mcp-method-on-tools-call": NOT_COVERED,
    "tasks-create-result-no-request-state": NOT_COVERED,
    "tasks-get-detailed-no-request-state": NOT_COVERED,
    "tasks-immediate-result-shortcut": NOT_COVERED,
    "tasks-result-type-complete-on-non-task-responses": NOT_COVERED,
    "tasks-server-directed-creation-no-hint": NOT_COVERED,
    "tasks-sync-tool-call": NOT_COVERED,
    "tasks-no-early-ttl-expiry": ("tasks.ttl.retention",),
    "tasks-no-related-task-meta-on-inlined-result": NOT_COVERED,
    "tasks-wire-field-renames": NOT_COVERED,
    "tasks-status-notifications": NOT_COVERED,  # SKIPPED by the suite (pending the listen rewrite)
}


def covering(check_id: str, requirements_at_revision: set[str]) -> tuple[str, ...] | None:
    """The Faultline requirement ids covering `check_id` at a revision (those registered there), `()` when
    none does, None when the id is not in the table (a new official check: add a row)."""
    mapped = OFFICIAL_TO_FAULTLINE.get(check_id)
    if mapped is None:
        return None
    return tuple(r for r in mapped if r in requirements_at_revision)
