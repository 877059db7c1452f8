"""``auditor collect <collector>``: evidence documents from live systems, one command per registered collector.

No collector has a command written here: each ``auditor collect <name>`` is generated from the
collector's declared ``help`` and ``options`` (:func:`auditor.cli.plugins.collector_command`), for
the built-in collectors and those an organisation's package adds through the ``auditor.collectors``
entry point alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def run_collector(collector: Any, out: Path) -> list[Path]:
    """Collect, write, and report what was written (with collection failures) on stderr."""
    from auditor.pipeline.run import describe_written

    paths = collector.write(out)
    for path in paths:
        for line in describe_written(path):
            click.echo(line, err=True)
    return paths


class CollectGroup(click.Group):
    """``auditor collect``: ``list``, and one generated command per registered collector."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from auditor.cli.plugins import load_collector_registry

        return sorted({*self.commands, *load_collector_registry().names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        from auditor.cli.plugins import collector_command
        from auditor.collect.base import load_collector

        collector = load_collector(cmd_name)
        if collector is None:
            return None
        command = collector_command(cmd_name, collector, run_collector)
        self.commands[cmd_name] = command
        return command


@click.group("collect", cls=CollectGroup)
def collect_group() -> None:
    """Collect evidence from live systems into an evidence folder (then run `auditor evaluate`)."""


@collect_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: one section per collector from its docstring (for docs/collectors.md).")
def collect_list(fmt: str) -> None:
    """List the collectors, the kinds they write and the permissions they need."""
    import inspect

    from auditor.collect import load_collectors

    for name, collector in load_collectors():
        if fmt == "text":
            click.echo(f"{name} {collector.version}: {', '.join(collector.kinds)}")
            for permission in collector.permissions:
                click.echo(f"    needs: {permission}")
            continue
        doc = inspect.getdoc(collector) or ""
        summary, _, body = doc.partition("\n\n")
        body = body.replace("Example::\n\n", "Example:\n\n```sh\n")
        if "```sh" in body:
            head, _, example = body.partition("```sh\n")
            example = "\n".join(line[4:] if line.startswith("    ") else line for line in example.splitlines())
            body = f"{head}```sh\n{example.strip()}\n```"
        click.echo(f"### `{name}` ({collector.version})\n\n{summary}\n\n{body}\n")
        click.echo(f"Writes: {', '.join(f'`{k}`' for k in collector.kinds)}\n")
        click.echo("Needs:\n\n" + "\n".join(f"- {p}" for p in collector.permissions) + "\n")


COMMANDS = [collect_group]
