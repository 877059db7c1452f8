"""Command-line pieces generated from the plugin registries (collectors, formats, engines).

Registries are read only when a command needs them (its help, its parsing), never at ``auditor --help``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from auditor.collect.base import Collector
    from auditor.registry import Registry


class RegistryChoice(click.Choice):
    """A choice among a registry's names, loaded on first use."""

    def __init__(self, load: Callable[[], Registry[Any]]) -> None:
        self._load = load
        self._names: tuple[str, ...] | None = None
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        if self._names is None:
            self._names = tuple(self._load().names())
        return self._names

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:  # click.Choice.__init__ assigns; the registry decides
        pass


class RegistryHelpOption(click.Option):
    """An option whose help names every plugin of a registry (``{choices}`` in its help)."""

    def __init__(self, *args: Any, registry: Callable[[], Registry[Any]], **kwargs: Any) -> None:
        self._registry = registry
        super().__init__(*args, **kwargs)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        template = self.help or ""
        self.help = template.replace("{choices}", ", ".join(self._registry().names()))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = template


def load_engine_registry() -> Registry[Any]:
    from auditor.engine import load_engines

    return load_engines()


def load_format_registry() -> Registry[Any]:
    from auditor.report import FORMATS
    from auditor.report.outputs import load_formats

    load_formats()
    return FORMATS


def load_collector_registry() -> Registry[Any]:
    from auditor.collect import load_collectors

    return load_collectors()


_TYPES: dict[str, Any] = {
    "text": str,
    "int": int,
    "file": click.Path(exists=True, dir_okay=False, path_type=Path),
    "dir": click.Path(exists=True, file_okay=False, path_type=Path),
}


def collector_command(name: str, collector: type[Collector],
                      common: Callable[[Callable[..., Any]], Callable[..., Any]],
                      run: Callable[[Any, Path], Any], context: Callable[[str | None, bool], dict[str, Any]]
                      ) -> click.Command:
    """``auditor collect <name>`` built from the collector's declared ``options`` and docstring."""
    from auditor.registry import summary

    def callback(out: Path, collected_at: str | None, no_progress: bool, **values: Any) -> None:
        run(collector(**values, **context(collected_at, no_progress)), out)

    params: list[click.Parameter] = []
    for option in collector.options:
        flag = "--" + option.name.replace("_", "-")
        if option.type == "flag":
            params.append(click.Option([flag, option.name], is_flag=True, help=option.help))
            continue
        params.append(click.Option(
            [flag, option.name], type=_TYPES[option.type], required=option.required, default=option.default,
            multiple=option.multiple, envvar=option.envvar, help=option.help,
            show_default=option.default is not None,
        ))
    command = click.Command(name, callback=common(callback), params=params, help=summary(collector))
    # common() added its options as decorator params on the callback; move them onto the command
    command.params.extend(getattr(command.callback, "__click_params__", [])[::-1])
    return command
