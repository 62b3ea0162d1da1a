"""`faultline check HISTORY.jsonl`: re-run the checks offline over a saved history."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.checks import run_checks
from harness.commands.options import output_file
from harness.errors import UsageError
from harness.history import History, HistoryFormatError, Verdict


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("history", type=Path, nargs="+", help="history file(s) (JSONL) written by a run")
    p.add_argument("--json", type=output_file, metavar="PATH", help="write the verdicts as JSON")
    p.add_argument("--all", action="store_true", help="also show NOT-APPLICABLE and NOT-OBSERVED verdicts")


def run(args: argparse.Namespace) -> int:
    rows, failed = [], False
    for path in args.history:
        try:
            h = History.load(path)
        except HistoryFormatError as exc:
            raise UsageError(str(exc)) from None
        if h.meta is None:
            raise UsageError(f"{path}: no meta record: not a Faultline history")
        h.records = [r for r in h.records if not isinstance(r, Verdict)]
        for v in run_checks(h):
            rows.append({"history": str(path), **v.model_dump(mode="json")})
            failed |= v.status == "FAIL"
            if args.all or v.status not in ("NOT-APPLICABLE", "NOT-OBSERVED"):
                print(f"{v.status:<14} {v.check:<30} {v.requirement:<32} {v.message}"
                      + (f"  witness {v.witness}" if v.witness else ""))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 1 if failed else 0
