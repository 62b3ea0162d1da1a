"""Every user mistake on every face is one line and exit 2 (a spawned command that dies before serving:
one line and exit 3), never a traceback or a library's dump: the line names the file and the line (and
column, for YAML) or the flag, and says what was expected.

Run in process (`harness.cli.main`), with stderr captured: nothing here starts a server or waits on one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.cli import main

PY = sys.executable
DUMPS = ("Traceback", "pydantic", "errors.pydantic.dev", "validation error", "internal error", "<unicode string>",
         "^", "For further information")


def one_line(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 2) -> str:
    rc = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == code, f"exit {rc}, not {code}: {err}"
    assert len(lines) == 1, f"not one line:\n{err}"
    assert not [d for d in DUMPS if d in err], err
    return lines[0]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    meta = '{"kind":"meta","scenario":"x","revision":"2025-11-25"}'
    for name, text in {
        "notjson.jsonl": "not json\n",
        "later.jsonl": f"{meta}\n\n{{oops\n",
        "array.jsonl": "[1, 2]\n",
        "nokind.jsonl": '{"a": 1}\n',
        "badkind.jsonl": '{"kind": "zzz"}\n',
        "missing.jsonl": '{"kind": "meta"}\n',
        "wrongtype.jsonl": f'{meta}\n{{"kind":"request","seq":"abc","x":1}}\n',
        "profile.yaml": "roles:\n  progress: {tool: x\n  bad: [\n",
        "profile.json": '{"roles": {"progress": }\n',
        "baseline.yaml": "- scenario: a\n  check: [b\n",
        "afile": "",
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "adir").mkdir()
    return tmp_path


@pytest.mark.parametrize(("name", "says"), [
    ("notjson.jsonl", "notjson.jsonl: line 1: not JSON at column 1: expected one JSON object"),
    ("later.jsonl", "later.jsonl: line 3: not JSON at column 2"),
    ("array.jsonl", "array.jsonl: line 1: expected a JSON object (a history record), got list"),
    ("nokind.jsonl", "nokind.jsonl: line 1: a record without 'kind': expected one of meta, request,"),
    ("badkind.jsonl", "badkind.jsonl: line 1: unknown kind 'zzz': expected one of meta,"),
    ("missing.jsonl", "missing.jsonl: line 1: a 'meta' record: missing field 'scenario' (and 1 more problem)"),
    ("wrongtype.jsonl", "wrongtype.jsonl: line 2: a 'request' record: field 'seq': Input should be a valid integer"),
    ("binary.jsonl", "binary.jsonl: not UTF-8 text (byte 0)"),
    ("nosuch.jsonl", "cannot read nosuch.jsonl: No such file or directory"),
    ("adir", "cannot read adir: Is a directory"),
])
def test_a_bad_history_is_one_line_with_file_line_and_what_was_expected(files, capsys, name, says):
    assert says in one_line(["check", name], capsys)


TARGET = ["run", "--target", "http://127.0.0.1:9/mcp"]


@pytest.mark.parametrize(("argv", "says"), [
    (TARGET + ["--profile", "profile.yaml"],
     "profile profile.yaml:3:6: malformed YAML: while parsing a flow mapping: expected ',' or '}', but got ':'"),
    (TARGET + ["--profile", "profile.json"], "profile profile.json:1:24: malformed JSON: Expecting value"),
    (TARGET + ["--profile", "adir"], "profile adir: Is a directory"),
    (TARGET + ["--expected-failures", "baseline.yaml"],
     "--expected-failures baseline.yaml:3:1: malformed YAML: while parsing a flow sequence: expected ',' or ']'"),
    (TARGET + ["--expected-failures", "nosuch.yaml"], "--expected-failures nosuch.yaml: No such file or directory"),
    (["fuzz", "--target", "http://127.0.0.1:9/mcp", "--profile", "profile.yaml"], "profile profile.yaml:3:6:"),
])
def test_bad_yaml_names_file_line_and_column(files, capsys, argv, says):
    assert says in one_line(argv, capsys)


def test_the_official_baseline_names_file_line_and_column(files):
    from harness.errors import UsageError
    from harness.official.suite import load_expected

    with pytest.raises(UsageError, match=r"^--expected-failures baseline.yaml:3:1: malformed YAML: while parsing"):
        load_expected(Path("baseline.yaml"))


@pytest.mark.parametrize(("argv", "says"), [
    (["demo", "--mutant", "no-such"], "unknown mutant 'no-such'; known: close-without-retry"),
    (["agents", "--mutant", "no-such"], "unknown mutant 'no-such'; known: close-without-retry"),
    # numbers
    (TARGET + ["--time-scale", "abc"], "argument --time-scale: expected a number, not 'abc'"),
    (TARGET + ["--time-scale", "0"], "argument --time-scale: expected a positive number, not '0'"),
    (["run", "--spawn", "x", "--startup-timeout", "-1"], "argument --startup-timeout: expected a positive number"),
    (["fuzz", "--target", "http://127.0.0.1:9/mcp", "--max-examples", "0"], "--max-examples must be at least 1"),
    (["fuzz", "--target", "http://127.0.0.1:9/mcp", "--time-budget", "soon"], "--time-budget 'soon': expected e.g."),
    (["agents", "--port", "99999"], "--port must be between 0 and 65535"),
    (["proxy", "--port", "99999"], "--port must be between 0 and 65535, not 99999"),
    (["orchestrate", "--demo", "--budget", "x"], "argument --budget: invalid int value: 'x'"),
    # URLs
    (["run", "--target", "notaurl"], "--target 'notaurl' is not an http(s) URL"),
    (["run", "--target", "http://[::1"], "--target 'http://[::1' is not an http(s) URL"),
    (["run", "--target", "http://127.0.0.1:99999/mcp"], "the port is not a number in 0..65535"),
    (["run", "--spawn", "x", "--url", "ftp://h/mcp"], "--url 'ftp://h/mcp' is not an http(s) URL"),
    (TARGET + ["--proxy", "notaurl"], "argument --proxy: expected 'embedded' or a Toxiproxy API URL"),
    (["discover", "--target", "nope"], "--target 'nope' is not an http(s) URL"),
    (["orchestrate", "--travel", "nope", "--research", "http://127.0.0.1:9/mcp"], "--travel 'nope' is not an http"),
    # commands
    (["run", "--spawn", ""], "--spawn needs a command"),
    (["run", "--spawn", "sh -c 'unterminated"], "No closing quotation"),
    # files and folders
    (TARGET + ["--json", "adir"], "argument --json: 'adir' is a folder, not a file"),
    (TARGET + ["--html", "afile/report.html"], "argument --html: 'afile/report.html': 'afile' is a file, not a folder"),
    (TARGET + ["--out", "afile"], "argument --out: 'afile' is a file, not a folder"),
    (["demo", "--junit", "adir"], "argument --junit: 'adir' is a folder, not a file"),
    (["fuzz", "--target", "http://127.0.0.1:9/mcp", "--out", "afile"], "argument --out: 'afile' is a file"),
    (["discover", "--target", "http://127.0.0.1:9/mcp", "-o", "adir"], "argument -o/--output: 'adir' is a folder"),
    (["discover", "--target", "http://127.0.0.1:9/mcp", "--history", "adir"], "argument --history: 'adir' is a"),
    (["check", "notjson.jsonl", "--json", "adir"], "argument --json: 'adir' is a folder, not a file"),
    (["replay", "nosuch.json"], "nosuch.json: No such file or directory"),
    (["replay", "adir"], "adir: Is a directory"),
    (["replay", "notjson.jsonl"], "notjson.jsonl: not JSON"),
    (["replay", "array.jsonl"], "array.jsonl: not a Faultline repro file"),
    (["list", "everything"], "argument what: invalid choice: 'everything'"),
    (["run", "--target", "http://127.0.0.1:9/mcp", "--revision", "2024"], "unknown revision '2024'"),
    (["run", "--target", "http://127.0.0.1:9/mcp", "-k", "no-such-scenario"], "no scenario matches 'no-such-scenario'"),
])
def test_a_user_mistake_is_one_line_and_exit_2(files, capsys, argv, says):
    assert says in one_line(argv, capsys)


def test_a_bad_environment_default_is_one_line(files, capsys, monkeypatch):
    monkeypatch.setenv("FAULTLINE_TIME_SCALE", "fast")
    assert "argument --time-scale: expected a number, not 'fast'" in one_line(TARGET, capsys)


@pytest.mark.parametrize(("command", "says"), [
    ("false", "spawned 'false' exited with code 1 before serving; printed nothing"),
    (f"{PY} -c \"print('hello'); print('bye'); raise SystemExit(4)\"",
     "exited with code 4 before serving; last lines: hello | bye"),
])
def test_a_spawn_that_dies_before_serving_is_one_line_with_its_code_and_last_lines(files, capsys, command, says):
    line = one_line(["run", "--spawn", command, "-k", "origin-403"], capsys, code=3)
    assert says in line
