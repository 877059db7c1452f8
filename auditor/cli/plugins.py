"""Command-line pieces generated from the plugin registries (collectors, formats, engines).

Registries are read only when a command needs them (its help, its parsing), never at ``auditor --help``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from auditor.collect.base import Collector, Option
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
    "file": click.Path(exists=True, dir_okay=False, path_type=Path),
    "dir": click.Path(exists=True, file_okay=False, path_type=Path),
}

#: options every ``auditor collect <name>`` command has; a collector may not declare these names
COMMON_OPTIONS = ("out", "collected_at", "no_progress")


def _param_type(option: Option) -> Any:
    if option.type == "int":
        if option.minimum is None and option.maximum is None:
            return int
        return click.IntRange(option.minimum, option.maximum)
    if option.type == "choice":
        return click.Choice(option.choices)
    return _TYPES[option.type]


def option_parameter(option: Option) -> click.Parameter:
    """The click parameter for one declared collector option."""
    # a default only when declared: click takes an explicit ``default=None`` as a value, and a required
    # option given none would then pass unnoticed
    default: dict[str, Any] = {} if option.default is None else {"default": option.default}
    if option.argument:
        return click.Argument([option.name], type=_param_type(option), required=option.required,
                              nargs=-1 if option.multiple else 1, **default)
    decls = [option.spelling, *option.aliases, option.name]
    if option.type == "flag":
        return click.Option(decls, is_flag=True, envvar=option.envvar, help=option.help)
    return click.Option(
        decls, type=_param_type(option), required=option.required, multiple=option.multiple, envvar=option.envvar,
        help=option.help, show_default=option.default is not None, **default,
    )


def common_parameters() -> list[click.Parameter]:
    """--out, --collected-at, --no-progress (fresh objects for each command)."""
    return [
        click.Option(["--out"], type=click.Path(file_okay=False, path_type=Path), required=True,
                     help="Evidence folder to write documents into."),
        click.Option(["--collected-at"], help="Pin collected_at (RFC 3339) for reproducible output; default "
                                              "SOURCE_DATE_EPOCH, else now."),
        click.Option(["--no-progress"], is_flag=True, help="Do not draw progress bars."),
    ]


def collector_command(name: str, collector: type[Collector], run: Callable[[Any, Path], Any]) -> click.Command:
    """``auditor collect <name>``, generated from the collector's ``help`` and declared ``options``.

    A secret option's value (the name of the variable holding it) reaches the collector as a
    :class:`auditor.collect.base.Secret` read from the environment; ``run(collector, out)`` collects.
    """
    from auditor.collect.base import Clock, Progress, Secret
    from auditor.errors import InputError

    clash = sorted({option.name for option in collector.options} & set(COMMON_OPTIONS))
    if clash:
        raise InputError(f"collector {name} ({collector.__module__}.{collector.__qualname__}): option(s) "
                         f"{', '.join(clash)}: found in its options, expected none of {', '.join(COMMON_OPTIONS)} "
                         "(every collect command has them)")

    def notice(message: str) -> None:
        click.echo(message, err=True)

    def callback(out: Path, collected_at: str | None, no_progress: bool, **values: Any) -> None:
        for option in collector.options:
            if option.secret and isinstance(values.get(option.name), str):
                values[option.name] = Secret.from_env(values[option.name])
        context = {"clock": Clock.from_env(collected_at), "progress": Progress(enabled=not no_progress)}
        run(collector.from_options(values, notice, **context), out)

    params = [option_parameter(option) for option in collector.options] + common_parameters()
    return click.Command(name, callback=callback, params=params, help=collector.command_help())
