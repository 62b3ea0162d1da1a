"""What the person sees: a live progress bar with the progress message (rich), log notifications printed
above it, and the questions (a question stops the bar and the key reader until it is answered). On a stream
that is not a terminal the same as plain lines, one per notification, flushed (scripts read them)."""

from __future__ import annotations

import sys
from typing import Any

import anyio
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.history import Record, SseEvent


class Screen:
    def __init__(self, *, interactive: bool, keys: Any = None) -> None:
        self.console = Console(highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal
        self.interactive = interactive
        self.keys = keys  # keys.KeyReader while a call runs through the proxy, paused while asking
        self.bar: Progress | None = None
        self.task: Any = None
        self.progress_seen = 0

    # -- lines -------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(escape(text))
        elif self.live:
            self.console.print(escape(text))
        else:
            print(text, flush=True)

    # -- progress ------------------------------------------------------------------------------
    def start(self, title: str) -> None:
        if not self.live:
            return
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[message]}"), TimeElapsedColumn(), console=self.console,
                            transient=True)
        self.task = self.bar.add_task(escape(title), total=None, message="")
        self.bar.start()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def progress(self, params: dict[str, Any]) -> None:
        value, total, message = params.get("progress"), params.get("total"), params.get("message") or ""
        self.progress_seen += 1
        if self.bar is not None and isinstance(value, int | float):
            self.bar.update(self.task, completed=value, total=total if isinstance(total, int | float) else None,
                            message=escape(str(message)))
        else:
            shown = f"{value:g}" if isinstance(value, int | float) else str(value)
            if isinstance(total, int | float):
                shown += f"/{total:g}"
            print(f"progress {shown}" + (f" {message}" if message else ""), flush=True)

    def log(self, params: dict[str, Any]) -> None:
        data = params.get("data")
        text = data if isinstance(data, str) else str(data)
        self.say(f"log [{params.get('level', 'info')}] {text}")

    def record(self, rec: Record) -> None:
        """Show what a recorded SSE event carries (progress, log) as it arrives."""
        if not isinstance(rec, SseEvent) or not isinstance(rec.message, dict):
            return
        method, params = rec.message.get("method"), rec.message.get("params") or {}
        if method == "notifications/progress":
            self.progress(params)
        elif method == "notifications/message":
            self.log(params)

    # -- questions -------------------------------------------------------------------------------
    async def ask(self, question: str) -> str:
        """One line from the person (the bar and the keys wait meanwhile)."""
        paused = self.bar
        if paused is not None:
            paused.stop()
            self.bar = None
        if self.keys is not None:
            await self.keys.pause()
        try:
            return await anyio.to_thread.run_sync(self._input, f"{question}: ", abandon_on_cancel=True)
        finally:
            if self.keys is not None:
                self.keys.resume()
            if paused is not None:
                self.bar = paused
                paused.start()

    def _input(self, prompt: str) -> str:
        if self.live:
            return self.console.input(escape(prompt))
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError("no more input")
        return line.rstrip("\n")
