"""Options for running as a pipeline step: output formats, exceptions, baseline, changed-only.

``@ci_options`` gives a command one ``ci: CiOptions`` argument; used by
``evaluate`` and ``run``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.cli.options import existing_file

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.evaluate import Run
    from auditor.policies import PolicySet
    from auditor.report.outputs import FormatRequest
    from auditor.waivers import ExceptionSet

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CiOptions:
    formats: tuple[FormatRequest, ...] = ()
    exceptions: Path | None = None
    baseline: Path | None = None
    changed_only: bool = False
    base: str | None = None
    known: set[tuple[str, str]] | None = field(default=None, repr=False)
    baseline_document: dict[str, Any] | None = field(default=None, repr=False)

    def load_exceptions(self, library: ControlLibrary) -> ExceptionSet | None:
        from auditor.waivers import load_exceptions

        return load_exceptions(self.exceptions, library) if self.exceptions else None

    def load_baseline(self) -> None:
        from auditor.baseline import load_baseline_document, pairs_of

        if self.baseline is not None:
            self.baseline_document = load_baseline_document(self.baseline)
            self.known = pairs_of(self.baseline_document, self.baseline)

    def narrow(self, library: ControlLibrary, policies: PolicySet, schema_dirs: list[Path]) -> ControlLibrary:
        """With --changed-only, the controls the change touches (possibly none)."""
        if not self.changed_only:
            return library
        from auditor.changed import select_changed

        selection = select_changed(library, policies, schema_dirs, self.base)
        if not selection.ids:
            click.echo(f"changed-only: no control changed since {selection.base}; nothing to evaluate", err=True)
        else:
            click.echo(f"changed-only: {len(selection.ids)} of {len(library)} controls changed since "
                       f"{selection.base}: {', '.join(selection.ids)}", err=True)
        return library.select(selection.ids)

    def finish(self, run: Run, results_path: Path, default_dir: Path) -> dict[str, Any]:
        """Write results.json, every requested format and the step summary; report warnings."""
        from auditor.files import pretty_json, write_atomic
        from auditor.report.outputs import append_step_summary, write_outputs
        from auditor.results import results_document

        run.baseline = self.known
        document = results_document(run)
        if self.baseline is not None and self.baseline_document is not None:
            from auditor.baseline import check_origin, evidence_sources

            check_origin(self.baseline, self.baseline_document, document.get("profile"),
                         evidence_sources(document["evidence"]))
        write_atomic(results_path, pretty_json(document))
        for path in write_outputs(document, list(self.formats), default_dir):
            click.echo(f"output: {path}", err=True)
        summary = append_step_summary(document)
        if summary is not None:
            click.echo(f"step summary: appended to {summary}", err=True)
        for warning in run.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        if "baseline" in document:
            b = document["baseline"]
            click.echo(f"baseline: {b['new']} new, {b['known']} known violations", err=True)
        return document


class _FormatOption(click.Option):
    """``--format``, whose help lists every format of the registry (imported only when help is shown)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from auditor.report import FORMATS
        from auditor.report.outputs import load_formats

        load_formats()
        template = self.help or ""
        self.help = template.replace("{formats}", ", ".join(sorted(FORMATS.names())))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = template


def _parse_formats(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Any, ...]:
    from auditor.errors import InputError
    from auditor.report.outputs import FormatRequest

    try:
        return tuple(FormatRequest.parse(v) for v in values)
    except InputError as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param=param) from None


def ci_options(func: F) -> F:
    """--format, --exceptions, --baseline, --changed-only, --base -> ``ci``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["ci"] = CiOptions(
            formats=kwargs.pop("formats"),
            exceptions=kwargs.pop("exceptions"),
            baseline=kwargs.pop("baseline"),
            changed_only=kwargs.pop("changed_only"),
            base=kwargs.pop("base"),
        )
        if kwargs["ci"].base and not kwargs["ci"].changed_only:
            raise click.UsageError("--base only applies with --changed-only")
        return func(*args, **kwargs)

    options = [
        click.option("--format", "formats", multiple=True, callback=_parse_formats, metavar="NAME[=PATH]",
                     cls=_FormatOption,
                     help="Also write an output format: {formats} (repeatable; "
                          "default path: next to results.json)."),
        click.option("--exceptions", type=existing_file,
                     help="exceptions.yaml: approved waivers; matching violations become 'waived'."),
        click.option("--baseline", type=existing_file,
                     help="Baseline (or results.json): fail only on violations not in it; all are reported."),
        click.option("--changed-only", is_flag=True,
                     help="Evaluate only controls whose control, policy, tests or evidence schemas changed."),
        click.option("--base", help="Revision --changed-only compares against (default: origin/main, else HEAD~1)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
