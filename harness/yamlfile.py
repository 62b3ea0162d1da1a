"""Reading the YAML (or JSON) files a user gives — profiles, expected-failures baselines — so that any
mistake is one line naming the file, the line and the column (a UsageError, exit 2), never a parser trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UsageError


def load_yaml_file(path: str | Path, what: str) -> Any:
    """The parsed content of `path` (JSON for a `.json` file, else YAML); `what` names the file in the error,
    e.g. `profile` or `--expected-failures`: `what FILE:LINE:COL: malformed YAML: <problem>`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{what} {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} {p}: not UTF-8 text (byte {exc.start})") from None
    if p.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{what} {p}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{what} {p}{yaml_where(exc)}: malformed YAML: {yaml_problem(exc)}") from None


def yaml_where(exc: yaml.YAMLError) -> str:
    """`:LINE:COL` (1-based) of a YAML error, where the parser says."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""


def yaml_problem(exc: yaml.YAMLError) -> str:
    """The parser's words for what it found, on one line (`while parsing a flow mapping: expected ',' or '}'`)."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    words = f"{context}: {problem}" if problem and context else str(problem or exc)
    return " ".join(words.split())
