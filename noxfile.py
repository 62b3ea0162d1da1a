"""The sessions Faultline's users and CI run: `nox -s tests`, `nox -s demo`, ..."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "uv"

PACKAGES = ["mcp_wire", "harness", "reference_agents", "scenarios"]


def install(session: nox.Session, *extras: str) -> None:
    """The project (editable) and its extras at exactly the versions in uv.lock: nothing is resolved anew
    (`uv lock` refreshes the lock after a change to pyproject.toml's dependencies)."""
    session.run_install("uv", "sync", "--frozen", "--inexact", *(f"--extra={e}" for e in extras),
                        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location, "UV_PYTHON_DOWNLOADS": "never"})


@nox.session
def tests(session: nox.Session) -> None:
    """The project's own test suite under pytest-xdist, `-n auto` being 1.5 workers per core (the tests mostly wait
    on the servers they start; tests/conftest.py `auto_workers`); `-- -n 0` runs it in one process; tests/conftest.py
    deals the slow tests out first, one per worker."""
    install(session, "test")
    # bytecode written and reused: the suite starts a few hundred Pythons (spawned agents, faces, pytest runs);
    # under PYTHONDONTWRITEBYTECODE=1 (set on some machines, CI's among them) each compiled every module it
    # imported from source again, about twice the CPU of a start-up from bytecode
    session.run("pytest", "-q", "-n", "auto", "--dist", "worksteal", *session.posargs,
                env={"PYTHONDONTWRITEBYTECODE": ""})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the whole tree."""
    install(session, "lint")
    session.run("ruff", "check", ".", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over the shipped packages."""
    install(session, "typecheck")
    session.run("mypy", *PACKAGES)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: reference agents + embedded proxy + all scenarios, a report at the end."""
    install(session)
    session.run("faultline", "demo", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """The official conformance suite and Faultline side by side on the reference agents serving the suite's
    fixture tools (`agents --conformance-fixtures`, profile conformance-fixtures), one table per requirement
    area at each revision; fails if the suite FAILs an area Faultline PASSes. `nox -s compare` is the same
    for another server."""
    install(session)
    session.run("python", "-m", "harness.official", "compare", "--spawn",
                "faultline agents --port 0 --retry-ms 1000 --conformance-fixtures", *session.posargs)


@nox.session
def validate(session: nox.Session) -> None:
    """A third-party server: `nox -s validate -- --target URL` (or `--spawn CMD`, `--profile FILE`)."""
    if not session.posargs:
        session.error("give the server: nox -s validate -- --target URL  (or --spawn CMD)")
    install(session)
    session.run("faultline", "run", "--json", "faultline-out/verdicts.json", "--junit", "faultline-out/junit.xml",
                "--html", "faultline-out/report.html", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """The kill matrix: every mutant must be FAILed with its expected requirement; clean agents by none."""
    install(session)
    session.run("python", "-m", "harness.killmatrix", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks that print figures (suite serial vs parallel, official checks/s, robustness, hostile, fuzz, load,
    proxy), then the main ones side by side; `-- suite official` for some."""
    install(session, "test")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def official(session: nox.Session) -> None:
    """Both pinned official MCP conformance suites against the reference agents with the fixtures: 0.1.16 (active,
    2025-11-25), then 0.2.0-alpha.12 with `--requirements 2025-11-25` and `--requirements 2026-07-28` (its
    tasks-extension and pending scenarios included). Node 22 and the suites go into .cache/faultline/official
    ($FAULTLINE_CACHE), never global. Fails on any FAILURE not listed in official-expected-failures.yml (keyed by
    suite version). Other server: `-- --url URL|--spawn CMD`; one suite: `-- --suite-version V`."""
    install(session)
    target = session.posargs or ["--spawn", "faultline agents --port 0 --retry-ms 1000 --conformance-fixtures"]
    session.run("python", "-m", "harness.official", "official", *target)


@nox.session
def compare(session: nox.Session) -> None:
    """The official suite and Faultline on the same server, one table per requirement area:
    `nox -s compare -- --target URL` (or `--spawn CMD`). Fails if the suite FAILs an area Faultline PASSes."""
    if not session.posargs:
        session.error("give the server: nox -s compare -- --target URL  (or --spawn CMD)")
    install(session)
    session.run("python", "-m", "harness.official", "compare", *session.posargs)


@nox.session
def thirdparty(session: nox.Session) -> None:
    """The real-server corpus: fastmcp 4.2.3 and 3.4.2 (a venv each) and npm server-everything 2026.8.31,
    installed into .cache/faultline/thirdparty ($FAULTLINE_CACHE), each started on 127.0.0.1 and run through
    the whole suite; fails on any FAIL, WARN or ERROR its thirdparty/expectations/ file does not list, and on
    a known bug not FAILed. `-- --server NAME`, `--runs 3`, `--reuse` (no pip/npm), `--out DIR`, `--recheck`."""
    install(session)
    session.run("python", "-m", "harness.thirdparty", *session.posargs, env={"FASTMCP_CHECK_FOR_UPDATES": "off"})
