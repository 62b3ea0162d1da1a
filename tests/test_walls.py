"""The walls between the parts, held by reading the source (AST), not by convention.

- `mcp_wire/` (the protocol as data) imports the standard library only: nothing of ours, no I/O library.
- `reference_agents/` never imports `harness` or `scenarios`: our servers do not know the tool that judges them.
- `harness/checks/` are pure functions over a history: no client, no proxy, no runner, no scenario, no
  file or socket I/O (no `open`, no networking or process library, no `Path.read_text` and the like).
- a scenario imports nothing of Faultline but `scenarios.api` (and the scenario package's own modules).
- every requirement id a scenario declares in `checks=(...)` is the requirement of a registered check.

Each wall names the offending file, line and import, so a failure says what to move.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("mcp_wire", "harness", "reference_agents", "scenarios", "benchmarks", "tests")

# what a check may not import: our impure parts, and every library that reaches a file, a socket or a process
CHECKS_MAY_NOT = ("harness.client", "harness.proxy", "harness.runner", "harness.targets", "harness.commands",
                  "harness.report", "scenarios", "reference_agents",
                  "socket", "ssl", "select", "selectors", "asyncio", "anyio", "httpx", "httpx2", "http", "urllib",
                  "subprocess", "multiprocessing", "shutil", "tempfile", "glob", "pathlib", "io", "mmap",
                  "sqlite3", "uvicorn", "starlette", "mcp", "requests", "aiohttp")
FILE_METHODS = frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open", "unlink", "mkdir",
                          "touch", "rename", "replace_file", "rmdir"})


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = list((path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) of every import in a file: top level or inside a function, `import`,
    `from ... import` (relative ones resolved) and `importlib.import_module("literal")`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = _module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:  # `from harness import client` imports harness.client
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__"))):
            yield node.lineno, node.args[0].value


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def offending(package: str, forbidden: tuple[str, ...], *, skip: tuple[str, ...] = ()) -> list[str]:
    """`file:line imports module`, once per offending import statement."""
    found: dict[tuple[str, int], str] = {}
    for path in sources(package):
        rel = path.relative_to(ROOT).as_posix()
        if rel in skip:
            continue
        for line, module in imports(path):
            if _under(module, forbidden):
                found.setdefault((rel, line), module)
    return [f"{rel}:{line} imports {module}" for (rel, line), module in sorted(found.items())]


def test_protocol_package_imports_the_standard_library_only():
    found: dict[tuple[str, int], str] = {}
    for path in sources("mcp_wire"):
        for line, module in imports(path):
            top = module.split(".")[0]
            if top not in sys.stdlib_module_names and top != "mcp_wire" and top != "__future__":
                found.setdefault((path.relative_to(ROOT).as_posix(), line), module)
    bad = [f"{rel}:{line} imports {module}" for (rel, line), module in sorted(found.items())]
    assert not bad, "mcp_wire must stay stdlib-only (no harness, no agents, no I/O library):\n" + "\n".join(bad)


def test_protocol_package_imports_no_io_library():
    bad = offending("mcp_wire", CHECKS_MAY_NOT)
    assert not bad, "\n".join(bad)


def test_reference_agents_never_import_the_harness_or_the_scenarios():
    bad = offending("reference_agents", ("harness", "scenarios"))
    assert not bad, "reference_agents must not import harness or scenarios (use mcp_wire):\n" + "\n".join(bad)


def test_checks_are_pure_no_client_proxy_or_io_imports():
    bad = offending("harness/checks", CHECKS_MAY_NOT)
    assert not bad, "harness/checks are pure functions over a history:\n" + "\n".join(bad)


def test_checks_call_no_file_or_socket_io():
    bad = []
    for path in sources("harness/checks"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name in ("open", "print", "input", "exec", "eval", "__import__") or attr in FILE_METHODS:
                bad.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} calls {name or attr}()")
    assert not bad, "harness/checks read only the history they are given:\n" + "\n".join(bad)


def test_scenarios_import_nothing_of_faultline_but_the_scenario_api():
    bad = offending("scenarios", ("harness", "reference_agents", "mcp_wire", "mcp", "benchmarks"),
                    skip=("scenarios/api.py",))
    assert not bad, "a scenario imports only scenarios.api (and its own helpers):\n" + "\n".join(bad)


def test_every_declared_requirement_names_a_registered_check():
    from harness.checks import all_checks
    from scenarios.api import all_scenarios

    requirements = {c.requirement for c in all_checks()}
    unknown = sorted({f"{sc.name}: {req}" for sc in all_scenarios() for req in sc.checks if req not in requirements})
    assert not unknown, "scenarios declare requirement ids no check defines:\n" + "\n".join(unknown)


def test_the_walls_see_forbidden_imports(tmp_path):
    """The import reader finds every form a forbidden import can take (so a wall cannot pass by blindness)."""
    probe = tmp_path / "probe.py"
    probe.write_text("import harness.client\nfrom harness import proxy\nfrom ..harness import x\n"
                     "def f():\n    import socket\n    importlib.import_module('httpx')\n", encoding="utf-8")
    found = {m for _, m in imports(probe)}
    assert {"harness.client", "harness.proxy", "socket", "httpx"} <= found


def revision_comparisons(package: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    """`file:line` of every comparison one of whose sides is a revision (`ctx.revision is ...`, `== Revision.R2025`,
    `revision in (...)`); a table indexed by the revision (`PROBES_AT[ctx.revision]`) is data, not a comparison."""
    def is_revision(n: ast.expr) -> bool:
        return (isinstance(n, ast.Attribute) and (n.attr == "revision" or (isinstance(n.value, ast.Name)
                                                                            and n.value.id == "Revision"))) \
            or (isinstance(n, ast.Name) and n.id in ("revision", "r2025", "r2026"))
    found = []
    for path in sources(package):
        rel = path.relative_to(ROOT).as_posix()
        if rel in skip:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(is_revision(n) for n in (node.left, *node.comparators)):
                found.append(f"{rel}:{node.lineno} compares a revision")
    return found


def test_no_scenario_branches_on_the_revision():
    """What differs by revision is a verb of the client (scenarios/api.py `Client`) or a table keyed by revision;
    a scenario never compares revisions (`revisions=` says where it applies)."""
    bad = revision_comparisons("scenarios", skip=("scenarios/api.py",))
    assert not bad, "a scenario body asks which revision it plays:\n" + "\n".join(bad)


def test_the_revision_wall_sees_a_comparison(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "probe.py").write_text(
        "def f(ctx):\n    if ctx.revision is Revision.R2025:\n        pass\n    return TABLE[ctx.revision]\n",
        encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert revision_comparisons("pkg") == ["pkg/probe.py:2 compares a revision"]
