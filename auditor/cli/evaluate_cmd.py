"""``auditor evaluate``: controls x evidence -> results.json."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli.options import EvaluationOptions, Sources, evaluation_options, existing_dir, library_options

if TYPE_CHECKING:
    from auditor.evaluate import Run


def run_evaluation(evidence: Path, sources: Sources, evaluation: EvaluationOptions) -> Run:
    """Load and validate everything, then evaluate; progress on stderr."""
    from auditor.cli.console import progress_reporter
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import SchemaSet, load_evidence

    library = sources.library()
    policy_set = sources.policy_set()
    mappings = sources.mapping_set(library)
    evidence_set = load_evidence(evidence, SchemaSet(*evaluation.schemas))
    backend = create(evaluation.engine, **evaluation.engine_options)
    with progress_reporter(len(library)) as advance:
        return evaluate(
            library, policy_set, evidence_set, backend,
            fail_on=evaluation.fail_on, as_of=evaluation.as_of, on_control=advance, mappings=mappings,
        )


@click.command("evaluate")
@click.option("--evidence", type=existing_dir, required=True, help="Evidence folder (JSON/YAML documents).")
@library_options
@evaluation_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/results.json"),
    show_default=True,
    help="Where to write results.json.",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print the results table.")
def evaluate_command(
    evidence: Path, sources: Sources, evaluation: EvaluationOptions, out: Path, quiet: bool
) -> None:
    """Evaluate every control against an evidence folder and write results.json."""
    from auditor.cli.console import print_results
    from auditor.results import write_results

    run = run_evaluation(evidence, sources, evaluation)
    write_results(run, out)
    if not quiet:
        print_results(run)
    click.echo(f"results: {out}", err=True)
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [evaluate_command]
