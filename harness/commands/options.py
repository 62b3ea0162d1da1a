"""argparse `type=` checks for the flags of every face, so a mistake is one line at parse time (exit 2),
not a traceback after a long run: a report path that is a folder, an output folder that is a file, a number
out of range, a proxy that is neither `embedded` nor an http(s) URL."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from harness.errors import UsageError
from harness.targets import parse_target_url


def output_file(text: str) -> Path:
    """A file the command will write: not a folder, and no parent of it an existing file."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    _parents_are_folders(p, text)
    return p


def output_folder(text: str) -> Path:
    """A folder the command will create or fill: not an existing file (nor under one)."""
    p = Path(text)
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    _parents_are_folders(p, text)
    return p


def _parents_are_folders(p: Path, text: str) -> None:
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise argparse.ArgumentTypeError(f"{text!r}: {str(parent)!r} is a file, not a folder")
            return


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0..65535 (0 picks a free one), not {value}")
    return value


def proxy_spec(text: str) -> str:
    """`embedded` or the API URL of a real Toxiproxy."""
    if text == "embedded":
        return text
    try:
        return parse_target_url(text, "--proxy")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(f"expected 'embedded' or a Toxiproxy API URL: {exc}") from None


# A scenario run mostly waits (on the network, the server, a fault's timing), so runs at once pay off past the
# number of cores: on 2 cores, -j 4 was 3.2x and -j 8 4.2x the serial suite (-j 16 no better than 8).
JOBS_PER_CORE, MAX_DEFAULT_JOBS = 4, 16


def default_jobs() -> int:
    """The default -j: 4 scenario runs per core, at most 16."""
    return max(1, min(MAX_DEFAULT_JOBS, JOBS_PER_CORE * (os.cpu_count() or 1)))


def jobs(text: str) -> int:
    """`-j N`: how many scenario runs at once, a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of scenario runs at once, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 (1: one scenario run after another), not {value}")
    return value
