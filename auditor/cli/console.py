"""Terminal output: the results table and progress (rich, loaded only when used)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from auditor.model import Status
from auditor.pipeline.progress import Progress

if TYPE_CHECKING:
    from auditor.evaluate import Run
    from auditor.model import ControlResult
    from auditor.results import WrittenResults

STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WAIVED: "yellow",
    Status.ERROR: "bold magenta",
    Status.INSUFFICIENT_EVIDENCE: "bold yellow",
}
#: statuses whose reason is printed even with --quiet: a red job is never silent about its cause
EXPLAINED = (Status.ERROR, Status.INSUFFICIENT_EVIDENCE)


@contextmanager
def progress_reporter(total: int) -> Iterator[Callable[[Any], None]]:
    """A transient progress bar on stderr (only drawn on a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _result: None
        return
    with Progress(
        TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("controls", total=total)
        yield lambda _result: progress.advance(task)


#: violations --quiet prints for each failing control
QUIET_VIOLATIONS = 3


def print_problems(run: Any) -> None:
    """What --quiet still prints (stderr): each control that ended ``error`` or ``insufficient_evidence``
    and why, and each failing control at or above ``--fail-on`` with its first violations (new ones, with
    a baseline), so a red job is never silent about its cause."""
    from auditor.model import severity_rank

    threshold = severity_rank(run.fail_on)
    for r in sorted(run.results, key=lambda r: r.control.id):
        if r.status in EXPLAINED:
            click.echo(f"{r.control.id} {r.status.value}: {r.reason}", err=True)
        elif r.status is Status.FAIL and severity_rank(r.control.severity) >= threshold:
            shown = [v for v in r.violations if run.baseline is None or (r.control.id, v.resource) not in run.baseline]
            if not shown:
                continue
            click.echo(f"{r.control.id} fail ({r.control.severity}): {len(shown)} violation"
                       f"{'s' if len(shown) != 1 else ''}: {r.control.title}", err=True)
            for v in shown[:QUIET_VIOLATIONS]:
                click.echo(f"  {v.resource}: {v.message}", err=True)
            if len(shown) > QUIET_VIOLATIONS:
                click.echo(f"  ... and {len(shown) - QUIET_VIOLATIONS} more (see the results)", err=True)


def print_results(run: Any) -> None:
    """A compact table (control, severity, status, violations, title), then the reasons for non-results."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=140)
    table = Table(title=f"Auditor run {run.run_id}  (evidence as of {run.as_of})", title_justify="left")
    table.add_column("control", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("violations", justify="right", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=1)
    for r in sorted(run.results, key=lambda r: r.control.id):
        style = STATUS_STYLE.get(r.status, "")
        count = len(r.violations) + len(r.waived)
        table.add_row(r.control.id, r.control.severity, f"[{style}]{r.status.value}[/]", str(count) if count else "",
                      r.control.title)
    for d in sorted(run.library.disabled.values(), key=lambda d: d.control.id):
        table.add_row(d.control.id, d.control.severity, "[dim]disabled[/]", "", d.control.title)
    console.print(table)
    for d in sorted(run.library.disabled.values(), key=lambda d: d.control.id):
        console.print(f"  [dim]{d.control.id}[/] disabled by {d.where}: {d.reason}", highlight=False)
    for r in sorted(run.results, key=lambda r: r.control.id):
        if r.status in EXPLAINED:
            console.print(f"  [{STATUS_STYLE[r.status]}]{r.control.id}[/] {r.status.value}: {r.reason}",
                          highlight=False)
    counts = run.counts()
    line = "  ".join(f"[{STATUS_STYLE[Status(k)]}]{k}: {v}[/]" for k, v in counts.items() if v)
    off = f"  disabled: {len(run.library.disabled)}" if run.library.disabled else ""
    console.print(f"{len(run.results)} controls  {line}{off}  (fail-on: {run.fail_on}, exit {int(run.exit_code())})")


class ConsoleProgress(Progress):
    """The pipeline's progress on stderr: notes, yellow warnings, a progress bar on a terminal; the results
    table (or with ``quiet`` only the reasons of errors and insufficient evidence) once results are written."""

    def __init__(self, quiet: bool = False, table: bool = True) -> None:
        self.quiet = quiet
        self.table = table

    def note(self, message: str) -> None:
        click.echo(message, err=True)

    def warning(self, message: str) -> None:
        click.secho(f"warning: {message}", fg="yellow", err=True)

    @contextmanager
    def evaluating(self, total: int) -> Iterator[Callable[[ControlResult], None]]:
        with progress_reporter(total) as advance:
            yield advance

    def results_written(self, run: Run, results: WrittenResults) -> None:
        if not self.table:
            return
        if self.quiet:
            print_problems(run)
        else:
            print_results(run)
        click.echo(f"results: {results.path}", err=True)
