"""``auditor controls list|validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.options import Sources, existing_dir, library_options

if TYPE_CHECKING:
    from auditor.model import DisabledControl


@click.group("controls")
def controls_group() -> None:
    """Inspect and validate the control library."""


@controls_group.command("list")
@library_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True
)
def list_command(sources: Sources, fmt: str) -> None:
    """List controls: id, family, severity, title, and the library layer each comes from.

    Controls a layer disabled are listed too, with status ``disabled`` and the reason.
    """
    from auditor.files import pretty_json

    library = sources.library()
    entries = sorted([*((c.id, c, None) for c in library),
                      *((d.control.id, d.control, d) for d in library.disabled.values())], key=lambda e: e[0])

    def state(disabled: DisabledControl | None) -> str:
        return f"disabled: {disabled.reason}" if disabled else "enabled"

    rows = [(cid, c.family.value, c.severity, c.title, library.origin(cid), state(d)) for cid, c, d in entries]
    if fmt == "json":
        data = []
        for cid, c, d in entries:
            item: dict[str, Any] = {
                "id": cid, "family": c.family.value, "severity": c.severity, "title": c.title, "owner": c.owner,
                "evidence": list(c.evidence), "layer": library.origin(cid), "path": str(c.path),
                "status": "disabled" if d else "enabled"}
            item["parameters"] = c.defaults() if d else library.params(cid)
            if cid in library.changed:
                item["overridden"] = library.changed[cid]
            if d:
                item["disabled"] = {"reason": d.reason, "by": d.where, "layer": d.layer}
            data.append(item)
        click.echo(pretty_json(data).decode(), nl=False)
    elif fmt == "markdown":
        click.echo("| id | family | severity | title | layer | status |\n|---|---|---|---|---|---|")
        for row in rows:
            click.echo("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for column in ("id", "family", "severity", "title", "layer", "status"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        layers = sorted({library.origin(cid) for cid, _c, _d in entries})
        click.echo(f"{len(library)} controls, {len(library.disabled)} disabled, from layers: {', '.join(layers)}")


@controls_group.command("validate")
@library_options
@click.option("--schemas", type=existing_dir, multiple=True,
              help="Extra evidence schema folder(s) (<kind>.schema.json) for organisation-specific kinds.")
def validate_command(sources: Sources, schemas: tuple[Path, ...]) -> None:
    """Validate control files, parameters and evidence maximum ages, mappings, that every control's policy
    exists and that every evidence kind a control names has a schema."""
    from auditor.engine.regorus_engine import RegorusEngine
    from auditor.pipeline.evaluation import check_library

    checked = check_library(sources, schemas)
    library, policy_set = checked.library, checked.policies
    RegorusEngine().load(policy_set.sources, {"params": library.params_document()})  # syntax check
    stack = sources.stack()
    layers = ", ".join(layer.name for layer in stack.all)
    disabled = f", {len(library.disabled)} disabled" if library.disabled else ""
    click.echo(f"{len(library)} controls{disabled} and {len(policy_set.sources)} policy files are valid "
               f"(layers: {layers})")


COMMANDS = [controls_group]
