"""`python -m harness.thirdparty [--server NAME]... [--runs N] [--reuse] [--out DIR]` (`nox -s thirdparty`).

Exit 0 when every run of every selected server is clean (its known bugs FAILed, nothing else FAILed,
each WARN and ERROR allowed by its expectations file), 1 otherwise, 2 for a usage error, 3 when a
server could not be installed or run.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from harness.errors import HarnessError, UsageError
from harness.thirdparty.corpus import RunResult, recheck, run_once
from harness.thirdparty.expectations import Expectations, load_expectations
from harness.thirdparty.report import details, table, unused_allowances
from harness.thirdparty.servers import SERVERS, Server, cache_dir, install, select_servers


def _say(text: str) -> None:
    print(text, flush=True)


def _ports(text: str | None) -> range | None:
    if not text:
        return None
    lo, _, hi = text.partition("-")
    try:
        ports = range(int(lo), int(hi or lo) + 1)
    except ValueError:
        raise UsageError(f"--ports {text!r}: expected LOW-HIGH, e.g. 19500-19599") from None
    if not ports or ports.start < 1 or ports.stop > 65536:
        raise UsageError(f"--ports {text!r}: not a range of TCP ports")
    return ports


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m harness.thirdparty",
                                description="the real-server corpus: known bugs FAILed, nothing else")
    p.add_argument("--server", action="append", metavar="NAME",
                   help=f"only this server (repeatable; part of a name selects each it is in): {', '.join(SERVERS)}")
    p.add_argument("--runs", type=int, default=1, help="run each server N times (default 1; acceptance: 3)")
    p.add_argument("--reuse", action="store_true",
                   help="use the installs already in the cache; never run pip or npm")
    p.add_argument("--out", type=Path, default=Path("faultline-out/thirdparty"),
                   help="folder for each run's histories and verdicts (default faultline-out/thirdparty)")
    p.add_argument("--ports", metavar="LOW-HIGH", help="start the servers on a free port of this range "
                                                       "(default: any free port)")
    p.add_argument("--time-scale", type=float, default=float(os.environ.get("FAULTLINE_TIME_SCALE") or "1"),
                   help="passed to faultline run (default 1, or $FAULTLINE_TIME_SCALE)")
    p.add_argument("--install-only", action="store_true", help="install what is missing, then exit")
    p.add_argument("--recheck", action="store_true",
                   help="no server: today's checks over the histories recorded in --out, compared again")
    p.add_argument("--list", action="store_true", help="list the servers and their files, then exit")
    return p


class _Terminated(BaseException):
    """SIGTERM: unwinds through every `finally`, so no server or run is left behind."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(args)
    except UsageError as exc:
        print(f"thirdparty: {exc}", file=sys.stderr)
        return 2
    except HarnessError as exc:
        print(f"thirdparty: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("thirdparty: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    except _Terminated:
        print("thirdparty: terminated; every server it started is stopped", file=sys.stderr)
        return 143


def _main(args: argparse.Namespace) -> int:
    if args.runs < 1:
        raise UsageError("--runs must be 1 or more")
    if args.time_scale <= 0:
        raise UsageError("--time-scale must be positive")
    servers = select_servers(args.server)
    ports = _ports(args.ports)
    if args.list:
        for s in servers:
            print(f"{s.name}: {s.label}; profile {s.profile}; expectations {s.expectations}")
        return 0
    expectations: dict[str, Expectations] = {s.name: load_expectations(s.expectations) for s in servers}
    began = time.monotonic()
    if args.recheck:
        return _report(_recheck(servers, expectations, args.out), expectations, args.out, began)
    cache = cache_dir()
    for s in servers:
        t0 = time.monotonic()
        install(s, cache, _say, reuse=args.reuse)
        _say(f"{s.name}: ready ({time.monotonic() - t0:.0f} s)")
    if args.install_only:
        return 0
    results: list[RunResult] = []
    for s in servers:  # a fresh output folder per server run now; other servers' results stay
        _clear(args.out / s.name)
    for n in range(1, args.runs + 1):
        for s in servers:
            r = run_once(s, expectations[s.name], n, cache=cache, out=args.out, say=_say, ports=ports,
                         time_scale=args.time_scale)
            results.append(r)
            _say(f"{s.name} #{n}: {'clean' if r.clean else 'NOT clean'} ({r.seconds:.0f} s)")
    return _report(results, expectations, args.out, began)


def _recheck(servers: list[Server], expectations: dict[str, Expectations], out: Path) -> list[RunResult]:
    results = []
    for s in servers:
        folders = sorted(out.glob(f"{s.name}/run-*"), key=lambda f: int(f.name.rpartition("-")[2] or 0))
        if not folders:
            raise UsageError(f"--recheck: no recorded runs of {s.name} under {out} (run the corpus first)")
        for folder in folders:
            results.append(r := recheck(s, expectations[s.name], folder))
            _say(f"{s.name} #{r.number}: rechecked {folder / 'histories'}: {'clean' if r.clean else 'NOT clean'}")
    return results


def _report(results: list[RunResult], expectations: dict[str, Expectations], out: Path, began: float) -> int:
    print()
    print("\n".join(table(results)))
    for line in details(results) + unused_allowances(results, expectations):
        print(line)
    clean = sum(r.clean for r in results)
    print(f"\nthirdparty: {clean} of {len(results)} run(s) clean in {time.monotonic() - began:.0f} s; "
          f"histories under {out}/<server>/run-<n>/histories/")
    return 0 if clean == len(results) else 1


def _clear(folder: Path) -> None:
    import shutil

    if folder.exists():
        shutil.rmtree(folder)


if __name__ == "__main__":
    sys.exit(main())
