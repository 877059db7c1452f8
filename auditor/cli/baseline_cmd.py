"""``auditor baseline``: record today's violations so a pipeline fails only on new ones."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import existing_file


@click.command("baseline")
@click.option("--results", "results_path", type=existing_file, required=True, help="A results.json to baseline.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("baseline.json"),
              show_default=True, help="Where to write the baseline.")
def baseline_command(results_path: Path, out: Path) -> None:
    """Write a minimal baseline (sorted control id + resource pairs) from a results.json.

    Then `auditor evaluate --baseline baseline.json` fails only on violations
    that are not in it, while still reporting every violation.
    """
    from auditor.baseline import write_baseline
    from auditor.results_model import Results

    baseline = write_baseline(Results.read(results_path), out)
    click.echo(f"baseline: {len(baseline['violations'])} known violations -> {out}", err=True)


COMMANDS = [baseline_command]
