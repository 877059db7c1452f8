"""``auditor run``: the main job. Evaluate (the demo organisation unless --evidence) into out/."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import EvaluationOptions, Sources, evaluation_options, existing_dir, library_options
from auditor.cli.pack_cmd import PackOptions, pack_options


@click.command("run")
@click.option("--evidence", type=existing_dir, help="Evidence folder (default: the bundled demo organisation).")
@library_options
@evaluation_options
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for results.json and the other outputs.",
)
@pack_options
def run_command(
    evidence: Path | None, sources: Sources, evaluation: EvaluationOptions, out_dir: Path, packing: PackOptions
) -> None:
    """Run the main job: evaluate every control and write results into --out-dir."""
    from auditor.cli.console import print_results
    from auditor.cli.evaluate_cmd import run_evaluation
    from auditor.content import demo_evidence_dir
    from auditor.results import write_results

    if evidence is None:
        evidence = demo_evidence_dir()
        click.echo(f"evidence: bundled demo organisation ({evidence})", err=True)
    run = run_evaluation(evidence, sources, evaluation)
    results_path = out_dir / "results.json"
    write_results(run, results_path)
    print_results(run)
    click.echo(f"results: {results_path}", err=True)
    if packing.pack:
        from auditor.cli.pack_cmd import write_pack

        write_pack(results_path, evidence, sources, out_dir / "pack.zip", packing,
                   reports=sorted(out_dir.glob("*.pdf")), allow_development=True)
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [run_command]
