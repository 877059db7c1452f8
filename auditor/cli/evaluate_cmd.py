"""``auditor evaluate``: controls x evidence -> results.json."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli.ci_options import CiOptions, ci_options
from auditor.cli.options import (
    EvaluationOptions,
    Sources,
    evaluation_options,
    existing_dir,
    library_options,
    schema_places,
)

if TYPE_CHECKING:
    from auditor.evaluate import Run


def run_evaluation(
    evidence: Path, sources: Sources, evaluation: EvaluationOptions, ci: CiOptions | None = None
) -> Run:
    """Load and validate everything, then evaluate; progress on stderr."""
    from auditor.cli.console import progress_reporter
    from auditor.controls import check_evidence_kinds
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import SchemaSet, load_evidence
    from auditor.evidence.freshness import load_freshness
    from auditor.evidence.secrets import REDACT, REFUSE, secrets_mode

    ci = ci or CiOptions()
    library = sources.library()
    schema_set = SchemaSet(*evaluation.schemas)
    check_evidence_kinds(library, schema_set.kinds, schema_places(evaluation.schemas))
    policy_set = sources.policy_set()
    mappings = sources.mapping_set(library)
    exceptions = ci.load_exceptions(library)
    ci.load_baseline()
    if ci.changed_only:
        from auditor.content import schemas_dir

        library = ci.narrow(library, policy_set, [schemas_dir(), *evaluation.schemas])
    freshness = load_freshness(sources.params, schema_set)
    with secrets_mode(REDACT if evaluation.redact_secrets else REFUSE):
        evidence_set = load_evidence(evidence, schema_set)
    backend = create(evaluation.engine, **evaluation.engine_options)
    with progress_reporter(len(library)) as advance:
        return evaluate(
            library, policy_set, evidence_set, backend,
            fail_on=evaluation.fail_on, as_of=evaluation.as_of, on_control=advance, mappings=mappings,
            exceptions=exceptions, freshness=freshness, **evaluation.worker_options(),
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
              help="Do not print the results table; the reason of any error or insufficient evidence is still printed.")
def evaluate_command(
    evidence: Path, sources: Sources, evaluation: EvaluationOptions, ci: CiOptions, out: Path, quiet: bool
) -> None:
    """Evaluate every control against an evidence folder and write results.json.

    Waived violations (--exceptions) never fail the exit code; with --baseline
    only violations absent from the baseline do.
    """
    from auditor.cli.console import print_problems, print_results

    run = run_evaluation(evidence, sources, evaluation, ci)
    ci.finish(run, out, out.parent)
    if quiet:
        print_problems(run)
    else:
        print_results(run)
    click.echo(f"results: {out}", err=True)
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [evaluate_command]
