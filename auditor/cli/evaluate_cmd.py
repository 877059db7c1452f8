"""``auditor evaluate``: controls x evidence -> results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.cli.options import evaluation_options, existing_dir, library_options


def run_evaluation(
    evidence: Path,
    controls: Path | None,
    policies: Path | None,
    params: Path | None,
    fail_on: str,
    engine: str,
    as_of: str | None,
    schemas: tuple[Path, ...] = (),
    engine_options: dict[str, Any] | None = None,
) -> Any:
    """Load, validate and evaluate; print progress on stderr. Returns the :class:`Run`."""
    from auditor.cli.console import progress_reporter
    from auditor.content import default_dir
    from auditor.controls import load_library
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import SchemaSet, load_evidence
    from auditor.policies import load_policies

    library = load_library(controls or default_dir("controls"), params)
    policy_set = load_policies(policies or default_dir("policies"))
    evidence_set = load_evidence(evidence, SchemaSet(*schemas))
    backend = create(engine, **(engine_options or {}))
    with progress_reporter(len(library)) as advance:
        return evaluate(library, policy_set, evidence_set, backend, fail_on=fail_on, as_of=as_of, on_control=advance)


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
    evidence: Path,
    controls: Path | None,
    policies: Path | None,
    params: Path | None,
    fail_on: str,
    engine: str,
    as_of: str | None,
    schemas: tuple[Path, ...],
    out: Path,
    quiet: bool,
) -> None:
    """Evaluate every control against an evidence folder and write results.json."""
    from auditor.cli.console import print_results
    from auditor.results import write_results

    run = run_evaluation(evidence, controls, policies, params, fail_on, engine, as_of, schemas)
    write_results(run, out)
    if not quiet:
        print_results(run)
    click.echo(f"results: {out}", err=True)
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [evaluate_command]
