"""Node 22 and the pinned official suite, installed from npm into a cache folder (never globally)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from harness.errors import HarnessError

SUITE_PACKAGE = "@modelcontextprotocol/conformance"
SUITE_VERSION = "0.1.16"
NODE_PACKAGE = "node@22"
MIN_NODE_MAJOR = 22  # the suite imports fs.globSync (Node >= 22)


def cache_root() -> Path:
    """`$FAULTLINE_CACHE`, default `.cache/faultline` (relative to the working directory)."""
    return Path(os.environ.get("FAULTLINE_CACHE") or ".cache/faultline")


def cache_dir() -> Path:
    """`$FAULTLINE_CACHE/official`, default `.cache/faultline/official`."""
    return cache_root() / "official"


def suite_entry(cache: Path) -> Path:
    return cache / "suite" / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"


def node_major(node: Path | str) -> int | None:
    try:
        out = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout.strip().lstrip("v")
    return int(text.split(".")[0]) if out.returncode == 0 and text.split(".")[0].isdigit() else None


def find_node(cache: Path, min_major: int = MIN_NODE_MAJOR) -> Path | None:
    """A Node >= min_major: the cached npm `node@22`, else one on PATH."""
    for candidate in (cache / "node22" / "node_modules" / ".bin" / "node",
                      cache / "node22" / "node_modules" / "node" / "bin" / "node"):
        if candidate.exists() and (node_major(candidate) or 0) >= min_major:
            return candidate
    on_path = shutil.which("node")
    if on_path and (node_major(on_path) or 0) >= min_major:
        return Path(on_path)
    return None


def run_logged(argv: list[str], log: Path, *, timeout: float = 600,
               on_wait: Callable[[float], None] | None = None) -> None:
    """Run argv with its output in `log`; HarnessError on a non-zero exit or past `timeout` s.
    `on_wait(elapsed)` is called every 10 s while it runs (progress for the user)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    what = " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))
    start = time.monotonic()
    with log.open("w", encoding="utf-8") as fh:
        try:
            proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise HarnessError(f"cannot run {what}: {exc.strerror or exc}") from None
        try:
            while True:
                try:
                    rc = proc.wait(timeout=min(10.0, max(0.1, start + timeout - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - start >= timeout:
                        raise HarnessError(f"{what} timed out after {timeout:.0f} s (log: {log})") from None
                    if on_wait is not None:
                        on_wait(time.monotonic() - start)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if rc != 0:
        raise HarnessError(f"{what} failed with exit {rc} (log: {log})")


def run_npm(args: list[str], log: Path, on_wait: Callable[[float], None] | None = None) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise HarnessError(f"npm not found on PATH: it is needed once to run npm {' '.join(args)}")
    run_logged([npm, *args, "--no-audit", "--no-fund"], log, on_wait=on_wait)


def ensure_node(cache: Path | None = None, min_major: int = MIN_NODE_MAJOR) -> Path:
    cache = cache or cache_dir()
    node = find_node(cache, min_major)
    if node is None:
        run_npm(["install", "--prefix", str(cache / "node22"), NODE_PACKAGE], cache / "node22.log")
        node = find_node(cache, min_major)
    if node is None:
        raise HarnessError(f"npm installed {NODE_PACKAGE} into {cache / 'node22'} but no Node >= 22 binary is there")
    return node


def npm_package_version(prefix: Path, package: str) -> str | None:
    """The version of `package` installed under `npm install --prefix PREFIX`, or None."""
    pkg = prefix / "node_modules" / package / "package.json"
    try:
        return str(json.loads(pkg.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def installed_suite_version(cache: Path) -> str | None:
    return npm_package_version(cache / "suite", SUITE_PACKAGE)


def ensure_suite(cache: Path | None = None) -> tuple[Path, Path]:
    """(node binary, suite entry point) of the 0.1.16 suite, installing what is missing."""
    return ensure_suite_version(SUITE_VERSION, cache)


# --- the 0.2 suite, side by side with 0.1.16 (issue 17) -------------------------------------------------
SUITE_NEXT_VERSION = "0.2.0-alpha.12"  # knows 2026-07-28: `--requirements REV`, requirements/*.yaml
SUITE_VERSIONS = (SUITE_VERSION, SUITE_NEXT_VERSION)


def suite_cache(cache: Path, version: str) -> Path:
    """Where `version` lives: 0.1.16 in `<cache>/suite` as before, any other in `<cache>/suite-<version>/suite`
    (so that `suite_entry` and `installed_suite_version` read either)."""
    return cache if version == SUITE_VERSION else cache / f"suite-{version}"


def ensure_suite_version(version: str, cache: Path | None = None) -> tuple[Path, Path]:
    """(node binary, suite entry point) of a pinned suite version, installing what is missing."""
    cache = cache or cache_dir()
    if version not in SUITE_VERSIONS:
        raise HarnessError(f"official suite {version} is not pinned (pinned: {', '.join(SUITE_VERSIONS)})")
    node = ensure_node(cache)
    home = suite_cache(cache, version)
    if installed_suite_version(home) != version:
        run_npm(["install", "--prefix", str(home / "suite"), f"{SUITE_PACKAGE}@{version}"], home / "suite.log")
    entry = suite_entry(home)
    if not entry.exists():
        raise HarnessError(f"the official suite {version} is not at {entry} after npm install")
    return node, entry


def requirements_file(entry: Path, revision: str) -> Path:
    """The requirement set a 0.2 suite ships for `revision` (`requirements/<revision>.yaml` in its package)."""
    return entry.parent.parent / "requirements" / f"{revision}.yaml"
