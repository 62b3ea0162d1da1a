"""Run README.md's quick start literally, as a new user would: its two commands, in a fresh clone of this
repository, with an externally managed python3 (PEP 668: `pip install` outside a venv refused) first on PATH.

    python3 scripts/check_quickstart.py [--only demo|tests] [--keep]

The python3: Debian's or Ubuntu's own (/usr/bin/python3 with an EXTERNALLY-MANAGED marker), else a copy of
this Python's standard library with the marker added (what PEP 668 says a distributor does). Caches are
shared (pip's, uv's, $FAULTLINE_CACHE), and so is ../shared beside the clone when it is beside this checkout;
nothing else is. Exit 0 when both commands exit 0. .ci/run runs it:
the tests CI runs are the README's test command, in that clone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "EXTERNALLY-MANAGED"


def quickstart_commands(readme: str) -> list[str]:
    """The commands of the first fenced block under `## Quick start`, comments dropped, one per line."""
    section = readme.split("\n## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S)
    if block is None:
        raise SystemExit("README.md: no fenced command block under '## Quick start'")
    lines = [re.sub(r"\s+#.*$", "", ln).strip() for ln in block.group(1).splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def externally_managed_python(work: Path) -> Path:
    """A folder whose `python3` is externally managed: Debian's own, else an emulation."""
    for candidate in sorted(Path("/usr/bin").glob("python3.1[1-9]")) + [Path("/usr/bin/python3")]:
        if not candidate.exists():
            continue
        stdlib = subprocess.run([str(candidate), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                                capture_output=True, text=True, check=False).stdout.strip()
        if stdlib and (Path(stdlib) / MARKER).exists():
            bindir = work / "bin"
            bindir.mkdir(parents=True, exist_ok=True)
            (bindir / "python3").symlink_to(candidate)
            print(f"quickstart: python3 = {candidate} (externally managed: {stdlib}/{MARKER})", flush=True)
            return bindir
    prefix = work / "python"  # a copy of this Python's prefix, its stdlib marked (PYTHONHOME points there)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    shutil.copytree(sysconfig.get_path("stdlib"), prefix / "lib" / version, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "__pycache__", "test", "tests"))
    (prefix / "lib" / version / MARKER).write_text("[externally-managed]\nError=emulated by check_quickstart.py\n")
    bindir = work / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    wrapper = bindir / "python3"
    wrapper.write_text(f"#!/bin/sh\nPYTHONHOME={prefix} exec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    print(f"quickstart: python3 = {sys.executable} with an emulated {MARKER} in {prefix}", flush=True)
    return bindir


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="scripts/check_quickstart.py", description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=("demo", "tests"), help="run only the first (demo) or second (tests) command")
    p.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = p.parse_args(argv)
    commands = quickstart_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    if len(commands) != 2:
        print(f"quickstart: README's quick start has {len(commands)} commands, not 2: {commands}", file=sys.stderr)
        return 1
    chosen = [commands[0]] if args.only == "demo" else [commands[1]] if args.only == "tests" else commands
    work = Path(tempfile.mkdtemp(prefix="faultline-quickstart-"))
    try:
        clone = work / "faultline"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        if (ROOT.parent / "shared").is_dir():  # as CI's own checkout has it (tests/checks/test_catalogue.py reads it)
            (work / "shared").symlink_to((ROOT.parent / "shared").resolve())
        bindir = externally_managed_python(work)
        refused = subprocess.run([str(bindir / "python3"), "-m", "pip", "install", "--dry-run", "nox"],
                                 capture_output=True, text=True, check=False)
        if "externally-managed-environment" not in refused.stderr + refused.stdout and "No module named pip" \
                not in refused.stderr:
            print("quickstart: that python3 is not externally managed after all", file=sys.stderr)
            return 1
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
        env["PATH"] = f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin"
        env.setdefault("FAULTLINE_CACHE", str(ROOT / ".cache" / "faultline"))
        for cmd in chosen:
            print(f"quickstart: $ {cmd}", flush=True)
            started = time.monotonic()
            # a new user's shell: SIGINT at its default even if this script was started in the background
            # (where a shell without job control ignores it, and the tests of Ctrl-C would see it ignored)
            rc = subprocess.run(["sh", "-c", cmd], cwd=clone, env=env, check=False,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)).returncode
            print(f"quickstart: exit {rc} after {time.monotonic() - started:.0f} s: {cmd}", flush=True)
            if rc != 0:
                return rc
        return 0
    finally:
        if args.keep:
            print(f"quickstart: clone kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
