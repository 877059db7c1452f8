"""``auditor controls list|validate``."""

from __future__ import annotations

import click

from auditor.cli.options import Sources, library_options


@click.group("controls")
def controls_group() -> None:
    """Inspect and validate the control library."""


@controls_group.command("list")
@library_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True
)
def list_command(sources: Sources, fmt: str) -> None:
    """List controls: id, family, severity, title."""
    from auditor.files import pretty_json

    library = sources.library()
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
def validate_command(sources: Sources) -> None:
    """Validate control files, parameters and evidence maximum ages, mappings, and every control's policy."""
    from auditor.engine.regorus_engine import RegorusEngine
    from auditor.evaluate import check_policies
    from auditor.evidence import SchemaSet
    from auditor.evidence.freshness import load_freshness

    library = sources.library()
    load_freshness(sources.params, SchemaSet())
    policy_set = sources.policy_set()
    check_policies(library, policy_set)
    sources.mapping_set(library)
    RegorusEngine().load(policy_set.sources, {"params": library.params_document()})  # syntax check
    click.echo(f"{len(library)} controls and {len(policy_set.sources)} policy files are valid")


COMMANDS = [controls_group]
