"""``auditor controls list|validate``."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import library_options


@click.group("controls")
def controls_group() -> None:
    """Inspect and validate the control library."""


@controls_group.command("list")
@library_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True
)
def list_command(controls: Path | None, policies: Path | None, params: Path | None, fmt: str) -> None:
    """List controls: id, family, severity, title."""
    from auditor.content import default_dir
    from auditor.controls import load_library
    from auditor.files import pretty_json

    library = load_library(controls or default_dir("controls"), params)
    rows = [(c.id, c.family.value, c.severity, c.title) for c in library]
    if fmt == "json":
        data = [
            {"id": c.id, "family": c.family.value, "severity": c.severity, "title": c.title, "owner": c.owner,
             "evidence": list(c.evidence), "parameters": library.params(c.id)}
            for c in library
        ]
        click.echo(pretty_json(data).decode(), nl=False)
    elif fmt == "markdown":
        click.echo("| id | family | severity | title |\n|---|---|---|---|")
        for row in rows:
            click.echo("| " + " | ".join(row) + " |")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for column in ("id", "family", "severity", "title"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        click.echo(f"{len(rows)} controls")


@controls_group.command("validate")
@library_options
def validate_command(controls: Path | None, policies: Path | None, params: Path | None) -> None:
    """Validate control files, parameters, and that every control's policy exists."""
    from auditor.content import default_dir
    from auditor.controls import load_library
    from auditor.engine.regorus_engine import RegorusEngine
    from auditor.evaluate import check_policies
    from auditor.policies import load_policies

    library = load_library(controls or default_dir("controls"), params)
    policy_set = load_policies(policies or default_dir("policies"))
    check_policies(library, policy_set)
    RegorusEngine().load(policy_set.sources, {"params": library.params_document()})  # syntax check
    click.echo(f"{len(library)} controls and {len(policy_set.sources)} policy files are valid")


COMMANDS = [controls_group]
