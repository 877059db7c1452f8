"""``auditor run``: the main job. Evaluate (the demo organisation unless --evidence) into out/."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.ci_options import CiOptions, ci_options
from auditor.cli.options import EvaluationOptions, Sources, evaluation_options, existing_dir, library_options
from auditor.cli.pack_cmd import PackOptions, pack_options


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
              help="Do not print the results table; the reason of any error or insufficient evidence is still printed.")
@click.option("--org", help="Organisation name on the reports (default: the demo's name on the bundled demo, "
                            "else 'the organisation').")
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
) -> None:
    """Run the main job: evaluate every control and write results into --out-dir."""
    from auditor.cli.console import print_problems, print_results
    from auditor.cli.evaluate_cmd import run_evaluation
    from auditor.content import demo_evidence_dir

    if evidence is None:
        evidence = demo_evidence_dir()
        org = org or DEMO_ORGANISATION
        click.echo(f"evidence: bundled demo organisation ({evidence})", err=True)
    if collect:
        from auditor.cli.collect_cmd import collect_alongside

        evidence = collect_alongside(evidence, out_dir / "evidence", repo, branch)
    elif branch:
        raise click.UsageError("--branch applies to --collect git")
    run = run_evaluation(evidence, sources, evaluation, ci)
    results_path = out_dir / "results.json"
    ci.finish(run, results_path, out_dir)
    if quiet:
        print_problems(run)
    else:
        print_results(run)
    click.echo(f"results: {results_path}", err=True)
    pack_path = out_dir / "pack.zip"
    written = _write_reports(results_path, out_dir, org, sources, packing, pack_path.name if packing.pack else None,
                             evidence)
    if packing.pack:
        from auditor.cli.pack_cmd import write_pack

        write_pack(results_path, evidence, sources, pack_path, packing,
                   reports=[p for p in written if p.suffix == ".pdf"], allow_development=True)
    raise click.exceptions.Exit(int(run.exit_code()))


DEMO_ORGANISATION = "Brightwater Financial"


def _write_reports(results_path: Path, out_dir: Path, org: str | None, sources: Sources, packing: PackOptions,
                   packed_into: str | None, evidence: Path) -> list[Path]:
    """The evidence report and the board summary (PDF + Markdown) beside results.json.

    With a locker, the board's trend comes from its earlier runs; services, SLOs, incidents, changes and
    models come from the evidence folder the run evaluated. Without --key or --kms-key-id the pack is
    development-signed, and the board's cover says so.
    """
    from auditor.cli.report_cmd import write_reports

    locker = packing.locker
    written = write_reports(results_path, out_dir, org=org, mappings=sources.mappings, packed_into=packed_into,
                            locker=locker if locker and locker.is_dir() else None, evidence=evidence,
                            development=packing.key is None and packing.kms_key_id is None)
    click.echo(f"reports: {', '.join(str(p) for p in written)}", err=True)
    return written


COMMANDS = [run_command]
