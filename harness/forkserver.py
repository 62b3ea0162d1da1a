"""A fork server for Faultline's own commands: `faultline ARGS` (this installation's script) and
`<this python> -m harness ARGS` are forked from a warmed-up zygote instead of exec'd afresh.

Why: a start of the reference agents is ~0.9 s of CPU, nearly all of it importing the SDK and pydantic
models; the suite, the kill matrix, the fuzzer and the tests start them hundreds of times, on 2 cores. A
fork of a process that has already imported them is ready in ~0.08 s.

What stays the same as an exec'd spawn: the child leads a session (and process group) of its own, so
`process_group.end_group` SIGTERMs/SIGKILLs it and whatever it forks exactly as before; its stdout and stderr
are one pipe the harness reads; stdin is /dev/null; it gets the spawn's environment and working directory;
SIGKILL is a real crash (its store is on disk, a restart is a new process). What differs: the modules were
imported once, before the fork, with the zygote's environment (nothing Faultline imports reads the
environment at import time; `FAULTLINE_FORK=0` turns the fork server off, for a comparison or a debugger).

Nothing is orphaned: the zygote leads its own session (a terminal's Ctrl-C does not reach it), dies with
the control socket (its harness gone, killed or not, it SIGKILLs every child's group and exits), and each
child is SIGKILLed by the kernel when the zygote dies (PR_SET_PDEATHSIG); the zygote and every child's group
are in `process_group.LIVE_GROUPS`, which the harness's atexit hook SIGKILLs.

Wire (a SOCK_SEQPACKET pair, one message per datagram): the harness sends JSON {"args", "env", "cwd"} with two
file descriptors, the write ends of the child's output pipe and of its status pipe; the zygote answers
{"pid": N} (or {"error": text}); when it reaps the child it writes the exit code (as `returncode`: negative
for a signal) and a newline to the status pipe and closes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence

PRELOAD = ("harness.cli", "reference_agents.server", "uvicorn")  # what the zygote imports before it forks
READY = b"ready"
_MAX = 1 << 20  # bytes of one request (the environment included)


def enabled() -> bool:
    return (os.environ.get("FAULTLINE_FORK", "1") != "0" and sys.platform == "linux"
            and hasattr(socket, "send_fds") and hasattr(os, "fork"))


def _shebang(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            first = f.readline(512)
    except OSError:
        return None
    return first[2:].decode("utf-8", "replace").split()[0] if first.startswith(b"#!") and first[2:].split() else None


def _this_python(path: str) -> bool:
    """`path` is this interpreter as its environment calls it (the venv's python, not the base one it links to)."""
    here = os.path.abspath(sys.executable)
    there = os.path.abspath(path)
    return there == here or (os.path.dirname(there) == os.path.dirname(here)
                             and os.path.basename(there) in ("python", "python3", f"python3.{sys.version_info[1]}")
                             and os.path.realpath(there) == os.path.realpath(here))


def own_args(argv: Sequence[str]) -> list[str] | None:
    """The CLI arguments when `argv` runs this installation of Faultline (its `faultline` script, or this
    interpreter with `-m harness`), else None (any other command is exec'd as it is)."""
    if not argv:
        return None
    found = argv[0] if "/" in argv[0] else shutil.which(argv[0])
    if found is None:
        return None
    if _this_python(found):
        return list(argv[3:]) if list(argv[1:3]) == ["-m", "harness"] and _cwd_imports_this() else None
    interpreter = _shebang(found)
    if os.path.basename(found) == "faultline" and interpreter is not None and _this_python(interpreter):
        return list(argv[1:])
    return None


def _cwd_imports_this() -> bool:
    """`python -m harness` imports from the working directory first: the same harness as this one, or none."""
    here = os.path.join(os.getcwd(), "harness")
    import harness
    return not os.path.exists(here) or os.path.realpath(here) == os.path.realpath(os.path.dirname(harness.__file__))


RUNTIME_ONLY = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")  # the PYTHON* variables a fork may differ in


def interpreter_env(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """What of an environment the interpreter reads as it starts (PYTHONPATH, PYTHONHASHSEED, ...): a spawn is
    forked only from a zygote started with the same."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith("PYTHON") and k not in RUNTIME_ONLY))


class Zygote:
    """The harness's end: one zygote per harness process, started on first use (threads may spawn at once)."""

    _lock = threading.Lock()
    _running: dict[tuple[tuple[str, str], ...], Zygote] = {}  # by interpreter_env

    def __init__(self, env: dict[str, str]) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:  # -P: no working directory on sys.path (as for the `faultline` script; -m is checked by own_args)
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "harness.forkserver", str(there.fileno())],
                                         pass_fds=[there.fileno()], start_new_session=True, env=env,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        finally:
            there.close()
        from harness.process_group import LIVE_GROUPS
        LIVE_GROUPS.add(self.proc.pid)
        self.sock = here
        self.sock.settimeout(60.0)  # the zygote's imports, on a loaded machine
        try:
            if self.sock.recv(64) != READY:
                raise OSError("the fork server did not start")
        except BaseException:
            self.close()
            raise
        self.sock.settimeout(10.0)

    @classmethod
    def get(cls, env: dict[str, str]) -> Zygote:
        """The zygote for a spawn with this environment (started now if there is none, or it died)."""
        key = interpreter_env(env)
        with cls._lock:
            found = cls._running.get(key)
            if found is None or found.proc.poll() is not None:
                found = cls._running[key] = Zygote(env)
            return found

    def fork(self, args: list[str], env: dict[str, str], out_w: int, status_w: int) -> int:
        request = json.dumps({"args": args, "env": env, "cwd": os.getcwd()}).encode()
        with self._lock:
            socket.send_fds(self.sock, [request], [out_w, status_w])
            answer = json.loads(self.sock.recv(_MAX) or b'{"error": "the fork server is gone"}')
        if "pid" not in answer:
            raise OSError(answer.get("error", "the fork server refused"))
        return int(answer["pid"])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.wait(5.0)  # it exits at the socket's end, after SIGKILLing its children
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        from harness.process_group import LIVE_GROUPS
        LIVE_GROUPS.discard(self.proc.pid)

    @classmethod
    def shutdown(cls) -> None:
        with cls._lock:
            running, cls._running = list(cls._running.values()), {}
        for zygote in running:
            zygote.close()


def _forget_in_child() -> None:  # a harness process that forks (it should not) has no zygote of its own
    Zygote._running = {}
    Zygote._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)


# --- the zygote ------------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(Exception):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the zygote died before prctl took effect
        os._exit(1)


def _child(request: dict[str, object], out_w: int, closing: list[int]) -> None:
    """In the forked child: become the command. Never returns."""
    code = 1
    try:
        os.setsid()
        _die_with_parent(os.getppid())
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.set_wakeup_fd(-1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        for fd in [null, out_w, *closing]:
            with contextlib.suppress(OSError):
                os.close(fd)
        os.chdir(str(request["cwd"]))
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update(env)
        import io
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's own stdin
        sys.stdout = io.TextIOWrapper(open(1, "wb", buffering=0, closefd=False), encoding="utf-8",  # noqa: SIM115
                                      errors="backslashreplace", line_buffering=True, write_through=True)
        sys.stderr = io.TextIOWrapper(open(2, "wb", buffering=0, closefd=False), encoding="utf-8",  # noqa: SIM115
                                      errors="backslashreplace", line_buffering=True, write_through=True)
        args = request["args"]
        assert isinstance(args, list)
        sys.argv = [os.path.join(os.path.dirname(sys.executable), "faultline"), *map(str, args)]
        from harness.cli import main
        try:
            code = main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
        import atexit
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - the child's last words, then its exit code
        with contextlib.suppress(Exception):
            import traceback
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)


def serve(fd: int) -> None:
    """The zygote: preload, say ready, then fork a child per request and report each child's end."""
    import importlib
    import selectors

    ctl = socket.socket(fileno=fd)
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    status: dict[int, int] = {}  # child pid -> the write end of its status pipe
    sel = selectors.DefaultSelector()
    sel.register(ctl, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    polling = [sel.fileno()] if isinstance(sel, selectors.EpollSelector) else []
    ctl.sendall(READY)
    try:
        while True:
            for key, _ in sel.select():
                if key.fileobj is wake_r:
                    os.read(wake_r, 4096)
                    _reap(status)
                    continue
                try:
                    data, fds, _flags, _addr = socket.recv_fds(ctl, _MAX, 2)
                except OSError:
                    data, fds = b"", []
                if not data:
                    return
                if len(fds) != 2:
                    for extra in fds:
                        os.close(extra)
                    ctl.send(json.dumps({"error": "a request needs its two pipes"}).encode())
                    continue
                try:
                    pid = os.fork()
                except OSError as exc:
                    for extra in fds:
                        os.close(extra)
                    ctl.send(json.dumps({"error": f"fork: {exc.strerror or exc}"}).encode())
                    continue
                if pid == 0:
                    _child(json.loads(data), fds[0], [fds[1], ctl.fileno(), wake_r, wake_w, *polling, *status.values()])
                os.close(fds[0])
                status[pid] = fds[1]
                ctl.send(json.dumps({"pid": pid}).encode())
                _reap(status)
    finally:
        for pid in list(status):  # the harness is gone: so are the children it asked for
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        _reap(status, block=True)


def _reap(status: dict[int, int], block: bool = False) -> None:
    while status:
        try:
            pid, how = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = status.pop(pid, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.write(fd, f"{os.waitstatus_to_exitcode(how)}\n".encode())
            os.close(fd)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
