"""``auditor report evidence`` and ``auditor report board``: PDF (and Markdown) reports from results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.cli.options import existing_dir, existing_file

ORG_HELP = ("Organisation name shown in the report (default: the 'organisation' the evidence documents give; "
            "without either the report says the organisation is not named).")


def period_options(func: Any) -> Any:
    """--period-days N / --since DATE: the span incidents and changes are counted over (ends at as_of)."""
    func = click.option("--since", help="Count incidents and changes from this date (YYYY-MM-DD or RFC 3339) "
                                        "to the run's as_of (instead of --period-days).")(func)
    return click.option("--period-days", type=click.IntRange(min=1),
                        help="Count incidents and changes over the N days to the run's as_of (default 90; never "
                             "the wall clock).")(func)


def check_since(since: str | None) -> None:
    """A --since that is not a date is a usage error before anything runs."""
    from auditor.report.period import parse_since

    if since is not None:
        parse_since(since)


@click.group("report")
def report_group() -> None:
    """Render reports from a results.json: the auditor's evidence report and the board summary."""


results_option = click.option("--results", "results_path", type=existing_file, required=True,
                              help="results.json written by 'auditor run' or 'auditor evaluate'.")
mappings_option = click.option("--mappings", type=existing_dir,
                               help="Framework catalogs folder for clause coverage (default: ./mappings or bundled).")
org_option = click.option("--org", help=ORG_HELP)
evidence_option = click.option(
    "--evidence", "evidence_dir", type=existing_dir,
    help="The evidence folder the run evaluated: services, SLO reports, incidents, changes and models are read "
         "from the documents results.json lists (required when it lists any).")


@report_group.command("evidence")
@results_option
@click.option("--pack", type=existing_file, help="The signed audit pack of this run (digest and signer on the cover).")
@mappings_option
@org_option
@evidence_option
@period_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/evidence-report.pdf"),
              show_default=True, help="Where to write the PDF.")
def evidence_command(results_path: Path, pack: Path | None, mappings: Path | None, org: str | None,
                     evidence_dir: Path | None, period_days: int | None, since: str | None, out: Path) -> None:
    """The evidence report for an external auditor (PDF).

    \b
    Example:
      auditor report evidence --results out/results.json --evidence evidence/ --pack out/pack.zip \\
        --out out/evidence-report.pdf
    """
    from auditor.pipeline.outputs import evidence_report, report_inputs
    from auditor.results_model import Results

    inputs = report_inputs(Results.read(results_path), results_path, org=org, mappings=mappings, pack=pack,
                           evidence=evidence_dir, period_days=period_days, since=since)
    evidence_report(inputs, out)
    click.echo(f"evidence report: {out}", err=True)


@report_group.command("board")
@results_option
@click.option("--locker", type=existing_dir, help="Evidence locker with earlier runs (the trend).")
@mappings_option
@org_option
@evidence_option
@period_options
@click.option("--pack", type=existing_file,
              help="The signed audit pack of this run (its digest, and a development signature flagged on the cover).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "markdown"]), default="pdf", show_default=True)
@click.option("--runs", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many recent runs the trend covers.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: out/board.pdf; Markdown goes to stdout unless --out).")
def board_command(results_path: Path, locker: Path | None, mappings: Path | None, org: str | None,
                  evidence_dir: Path | None, period_days: int | None, since: str | None, pack: Path | None,
                  fmt: str, runs: int, out: Path | None) -> None:
    """The board's proof-point summary: one or two pages in plain language (PDF or Markdown).

    \b
    Example:
      auditor report board --results out/results.json --evidence evidence/ --pack out/pack.zip \\
        --locker ../evidence-locker --out out/board.pdf
    """
    from auditor.files import write_atomic
    from auditor.pipeline.outputs import board_summary, report_inputs
    from auditor.report.board import render_board_pdf
    from auditor.results_model import Results

    inputs = report_inputs(Results.read(results_path), results_path, org=org, mappings=mappings, pack=pack,
                           evidence=evidence_dir, period_days=period_days, since=since)
    summary = board_summary(inputs, locker, runs)
    if fmt == "markdown":
        from auditor.report.board_markdown import render_board_markdown

        text = render_board_markdown(summary)
        if out is None:
            click.echo(text, nl=False)
            return
        write_atomic(out, text)
    else:
        out = out or Path("out/board.pdf")
        write_atomic(out, render_board_pdf(summary))
    click.echo(f"board summary: {out}", err=True)


COMMANDS = [report_group]
