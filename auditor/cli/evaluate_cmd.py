"""``auditor evaluate``: controls x evidence -> results.json (the pipeline's first stages, see auditor.pipeline)."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.ci_options import CiOptions, ci_options
from auditor.cli.options import (
    EvaluationOptions,
    Sources,
    evaluation_options,
    existing_dir,
    library_options,
)


@click.command("evaluate")
@click.option("--evidence", type=existing_dir, required=True, help="Evidence folder (JSON/YAML documents).")
@library_options
@evaluation_options
@ci_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/results.json"),
    show_default=True,
    help="Where to write results.json.",
)
@click.option("--quiet", "-q", is_flag=True,
              help="Do not print the results table; the reason of any error or insufficient evidence, and the first "
                   "violations of each control failing at or above --fail-on, are still printed.")
def evaluate_command(
    evidence: Path, sources: Sources, evaluation: EvaluationOptions, ci: CiOptions, out: Path, quiet: bool
) -> None:
    """Evaluate every control against an evidence folder and write results.json.

    Waived violations (--waivers) never fail the exit code; with --baseline
    only violations absent from the baseline do.
    """
    from auditor.cli.console import ConsoleProgress
    from auditor.pipeline import evaluate_evidence, write_results

    progress = ConsoleProgress(quiet)
    run = evaluate_evidence(evidence, sources, evaluation, ci, progress)
    progress.results_written(run, write_results(run, out, ci.formats, out.parent, progress))
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [evaluate_command]
