"""``auditor run``: the main job (auditor.pipeline.run): evaluate the demo organisation unless --evidence, into out/."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.ci_options import CiOptions, ci_options
from auditor.cli.options import EvaluationOptions, Sources, evaluation_options, existing_dir, library_options
from auditor.cli.pack_cmd import PackOptions, pack_options
from auditor.cli.report_cmd import check_since, period_options


@click.command("run")
@click.option("--evidence", type=existing_dir, help="Evidence folder (default: the bundled demo organisation).")
@library_options
@evaluation_options
@ci_options
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for results.json and the other outputs.",
)
@pack_options
@click.option("--collect", "collect", type=click.Choice(["git"]), multiple=True,
              help="Also collect live evidence into <out-dir>/evidence/ and evaluate it with the rest.")
@click.option("--repo", type=existing_dir, default=Path(), show_default=True, help="Repository for --collect git.")
@click.option("--branch", help="Branch whose first-parent history --collect git reads (default: main, else HEAD).")
@click.option("--quiet", "-q", is_flag=True,
              help="Do not print the results table; the reason of any error or insufficient evidence, and the first "
                   "violations of each control failing at or above --fail-on, are still printed.")
@click.option("--org", help="Organisation name on the reports (default: the 'organisation' the evidence "
                            "documents give; the bundled demo's service catalogue names Brightwater Financial).")
@period_options
def run_command(
    evidence: Path | None,
    sources: Sources,
    evaluation: EvaluationOptions,
    ci: CiOptions,
    out_dir: Path,
    packing: PackOptions,
    collect: tuple[str, ...],
    repo: Path,
    branch: str | None,
    quiet: bool,
    org: str | None,
    period_days: int | None,
    since: str | None,
) -> None:
    """Run the main job: evaluate every control and write results into --out-dir."""
    from auditor.cli.console import ConsoleProgress
    from auditor.pipeline import RunSettings, run

    if since is not None and period_days is not None:
        raise click.UsageError("--period-days and --since both set the start of the reporting period: give one")
    check_since(since)
    if branch and not collect:
        raise click.UsageError("--branch applies to --collect git")
    settings = RunSettings(evidence=evidence, out_dir=out_dir, sources=sources, evaluation=evaluation, checks=ci,
                           packing=packing, org=org, collect=collect, repo=repo, branch=branch,
                           period_days=period_days, since=since)
    outcome = run(settings, ConsoleProgress(quiet))
    raise click.exceptions.Exit(int(outcome.exit_code))


COMMANDS = [run_command]
