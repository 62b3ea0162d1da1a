"""The one place a wire client is chosen: one client class per revision, behind scenarios/api.py `Client`."""

from __future__ import annotations

from typing import Any

from harness.client.r2025 import SessionClient
from harness.client.r2026 import StatelessClient
from harness.client.verbs import RevisionClient
from harness.history import History
from harness.revisions import Revision

CLIENTS: dict[Revision, type[RevisionClient]] = {Revision.R2025: SessionClient, Revision.R2026: StatelessClient}


def wire_client(url: str, history: History, *, revision: Revision, **kw: Any) -> RevisionClient:
    """The recording wire client for `revision` (keyword arguments as WireClient's, plus `time_scale`, `tasks`)."""
    return CLIENTS[revision](url, history, revision=revision, **kw)
