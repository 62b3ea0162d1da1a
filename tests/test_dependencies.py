"""Every package the code imports is declared in pyproject.toml, and uv.lock is the lock of what is declared.

The shipped packages may import only the runtime dependencies; tests/ also the `test` extra; noxfile.py the
`dev` extra. A name no installed distribution provides must be a module of this repository (the tests put
some of their folders on sys.path). An import that works only because another package pulled it in is
the failure this catches (`httpx2` was one: the SDK brings it, we import it).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = ("mcp_wire", "harness", "reference_agents", "scenarios", "benchmarks", "scripts")
FIRST_PARTY = frozenset({*SHIPPED, "tests"})
# imports that need more than the runtime dependencies, and why they may
EXTRA_ALLOWED = {"harness/pytest_plugin.py": {"pytest"}}  # loaded by pytest itself (entry point pytest11)
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    """Distribution names the runtime dependencies and the given extras declare (self-references followed)."""
    project = PYPROJECT["project"]
    names, todo, seen = set(), [*project["dependencies"]], set()
    todo += [r for e in extras for r in project["optional-dependencies"][e]]
    while todo:
        name, extras_part, _ = _REQ.match(todo.pop()).groups()  # type: ignore[union-attr]
        if canonical(name) == canonical(project["name"]):
            for e in (extras_part or "[]")[1:-1].split(","):
                if e.strip() and e.strip() not in seen:
                    seen.add(e.strip())
                    todo += project["optional-dependencies"][e.strip()]
            continue
        names.add(canonical(name))
    return names


def top_level_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out - set(sys.stdlib_module_names) - {"__future__"} - FIRST_PARTY


@cache
def local_modules() -> frozenset[str]:
    """Module names the repository itself provides (files and packages anywhere under tests/, benchmarks/)."""
    found = set()
    for folder in ("tests", "benchmarks"):
        for p in (ROOT / folder).rglob("*.py"):
            found.add(p.stem)
            found.add(p.parent.name)
    return frozenset(found)


def undeclared(files: list[Path], allowed: set[str]) -> list[str]:
    providers = packages_distributions()
    bad = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        for module in sorted(top_level_imports(path)):
            dists = {canonical(d) for d in providers.get(module, [])}
            if not dists:  # not installed here: a declared distribution of that name, or a module of ours
                if canonical(module) not in allowed and module not in local_modules():
                    bad.append(f"{rel}: imports {module}, which no installed distribution provides")
            elif not dists & (allowed | {canonical(d) for d in EXTRA_ALLOWED.get(rel, ())}):
                bad.append(f"{rel}: imports {module} (from {', '.join(sorted(dists))}), not declared in pyproject.toml")
    return bad


def test_shipped_code_imports_only_declared_runtime_dependencies():
    files = [p for pkg in SHIPPED for p in sorted((ROOT / pkg).rglob("*.py"))]
    bad = undeclared(files, declared())
    assert not bad, "\n".join(bad)


def test_tests_import_only_runtime_and_test_dependencies():
    bad = undeclared(sorted((ROOT / "tests").rglob("*.py")), declared("test"))
    assert not bad, "\n".join(bad)


def test_noxfile_imports_only_dev_dependencies():
    bad = undeclared([ROOT / "noxfile.py"], declared("dev"))
    assert not bad, "\n".join(bad)


def test_the_sdk_whose_private_methods_we_override_is_pinned_exactly():
    pins = [r for r in PYPROJECT["project"]["dependencies"] if canonical(_REQ.match(r).group(1)) == "mcp"]  # type: ignore[union-attr]
    assert len(pins) == 1 and re.fullmatch(r"mcp==\d+\.\d+\.\d+", pins[0].replace(" ", "")), pins


def _requirements(entries: list[str], extra: str | None) -> set[tuple[str, str, str | None]]:
    out = set()
    for r in entries:
        name, extras_part, spec = _REQ.match(r).groups()  # type: ignore[union-attr]
        out.add((canonical(name), spec.replace(" ", ""), extra))
    return out


def test_the_lock_is_the_lock_of_what_pyproject_declares():
    """uv.lock records the project's requirements as it resolved them; a pyproject edit without `uv lock`
    leaves them different (and `uv sync --frozen` would install the stale set)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    project = PYPROJECT["project"]
    ours = next(p for p in lock["package"] if p["name"] == canonical(project["name"]))
    locked = set()
    for r in ours["metadata"]["requires-dist"]:
        extra = re.search(r"extra == '([^']+)'", r.get("marker", ""))
        locked.add((r["name"], r.get("specifier", "").replace(" ", ""), extra.group(1) if extra else None))
    wanted = _requirements(project["dependencies"], None)
    for extra, entries in project["optional-dependencies"].items():
        wanted |= _requirements(entries, extra)
    assert locked == wanted, f"run `uv lock`: only in uv.lock {sorted(locked - wanted)}; only in pyproject " \
                             f"{sorted(wanted - locked)}"
