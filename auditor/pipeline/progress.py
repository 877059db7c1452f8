"""How a run reports while it goes: a :class:`Progress` whose methods the stages call.

The default says nothing; the CLI's subclass (``auditor.cli.console.ConsoleProgress``) prints notes and
warnings on stderr and draws a progress bar on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.evaluate import Run
    from auditor.model import ControlResult
    from auditor.results import WrittenResults


class Progress:
    """Silent progress; override what you want to see."""

    def note(self, message: str) -> None:
        """Something the run did or decided (a file written, the controls selected)."""

    def warning(self, message: str) -> None:
        """Something the reader must know (an expiring waiver, a baseline note)."""

    @contextmanager
    def evaluating(self, total: int) -> Iterator[Callable[[ControlResult], None]]:
        """Around the evaluation of ``total`` controls; the callback is called with each control's result."""
        yield lambda _result: None

    def results_written(self, run: Run, results: WrittenResults) -> None:
        """results.json and the formats are written (the CLI prints its table here, before the reports)."""


class Recorder(Progress):
    """Keeps every note and warning (for tests and callers that show them later)."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.warnings: list[str] = []
        self.evaluated: list[str] = []

    def note(self, message: str) -> None:
        self.notes.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    @contextmanager
    def evaluating(self, total: int) -> Iterator[Callable[[ControlResult], None]]:
        yield lambda result: self.evaluated.append(result.control.id)


SILENT = Progress()
