"""The host's durable state: what `faultline call --resume FILE` needs to come back to a call.

Two files. The state file (JSON) holds the tokens — the session id and the negotiated version (2025-11-25),
the call's stream and its last event id (2025-11-25), the pending request's state (2026-07-28: the call,
the round's requestState, a task id) — and is rewritten atomically (a temporary file beside it, then
rename) each time one of them changes, so a `kill -9` at any moment leaves the last complete one. The
history (JSONL, the same records as every run's) is appended one flushed line per record beside it, so the
resumed process judges the whole call, before and after the kill.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.history import History, Record, parse_record

STATE_VERSION = 1


@dataclass
class HostState:
    target: str  # the MCP endpoint the client talks to (the proxy's, with --through-proxy)
    upstream: str  # the server's own endpoint
    revision: str
    tool: str
    arguments: dict[str, Any]
    history: str  # path of the history JSONL
    progress_token: str = "faultline-call"
    session_id: str | None = None
    protocol_version: str | None = None
    rpc_id: int | None = None  # the JSON-RPC id of the pending tools/call
    stream: str | None = None  # "post:<id>"
    last_event_id: str | None = None
    next_id: int = 0  # the client's request-id counter (a resumed client never reuses an id)
    request_state: str | None = None  # 2026-07-28: the last InputRequiredResult round's requestState
    task_id: str | None = None
    shown: int = 0  # progress notifications shown so far
    done: bool = False
    faultline_call: int = STATE_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Atomically: write a temporary file beside it, flush it to disk, rename it over the old one."""
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(asdict(self), indent=1))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def load_state(path: Path) -> HostState:
    """The state file at `path`; a missing, unreadable or foreign file is a UsageError (one line, exit 2)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--resume {path}: no such state file") from None
    except OSError as exc:
        raise UsageError(f"--resume {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"--resume {path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("faultline_call") != STATE_VERSION:
        raise UsageError(f"--resume {path}: not a `faultline call` state file")
    known = set(HostState.__dataclass_fields__)
    try:
        return HostState(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise UsageError(f"--resume {path}: incomplete state file: {exc}") from None


def load_history(path: Path) -> list[Record]:
    """The records of a history written line by line; a last line cut short by a kill is dropped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc} (the history of the call to resume)") from None
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(parse_record(line))
        except ValueError as exc:
            if n == len(lines):
                break  # the line the kill interrupted
            raise UsageError(f"{path}: line {n}: not a Faultline history record") from exc
    return records


class DurableHistory(History):
    """A History that appends each record to its JSONL file as it is appended (one flushed write a line) and
    then tells `on_record`, which keeps the state file in step."""

    def __init__(self, path: Path, records: list[Record] | None = None,
                 on_record: Callable[[Record], None] | None = None) -> None:
        super().__init__(records or [])
        if records:  # times go on from the last one (the checks read `t` as one clock)
            self._t0 -= max(r.t for r in records)
        self.on_record = on_record
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the life of the call

    def append(self, record: Record) -> Record:
        super().append(record)
        self._file.write(record.model_dump_json() + "\n")
        self._file.flush()
        if self.on_record is not None:
            self.on_record(record)
        return record

    def close(self) -> None:
        self._file.close()
