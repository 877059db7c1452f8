"""``auditor run``: the main job. Evaluate (the demo organisation unless --evidence) into out/."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import EvaluationOptions, Sources, evaluation_options, existing_dir, library_options


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
@click.option("--collect", "collect", type=click.Choice(["git"]), multiple=True,
              help="Also collect live evidence into <out-dir>/evidence/ and evaluate it with the rest.")
@click.option("--repo", type=existing_dir, default=Path(), show_default=True, help="Repository for --collect git.")
def run_command(
    evidence: Path | None, sources: Sources, evaluation: EvaluationOptions, out_dir: Path,
    collect: tuple[str, ...], repo: Path,
) -> None:
    """Run the main job: evaluate every control and write results into --out-dir."""
    from auditor.cli.console import print_results
    from auditor.cli.evaluate_cmd import run_evaluation
    from auditor.content import demo_evidence_dir
    from auditor.results import write_results

    if evidence is None:
        evidence = demo_evidence_dir()
        click.echo(f"evidence: bundled demo organisation ({evidence})", err=True)
    if collect:
        from auditor.cli.collect_cmd import collect_alongside

        evidence = collect_alongside(evidence, out_dir / "evidence", repo)
    run = run_evaluation(evidence, sources, evaluation)
    results_path = out_dir / "results.json"
    write_results(run, results_path)
    print_results(run)
    click.echo(f"results: {results_path}", err=True)
    raise click.exceptions.Exit(int(run.exit_code()))


COMMANDS = [run_command]
