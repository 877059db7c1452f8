"""Options for running as a pipeline step: output formats, waivers, baseline, changed-only.

``@ci_options`` gives a command one ``ci: CiOptions`` argument (a
:class:`auditor.pipeline.settings.CheckOptions`); used by ``evaluate`` and ``run``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from auditor.cli.options import existing_file
from auditor.cli.plugins import RegistryHelpOption, load_format_registry
from auditor.pipeline.settings import CheckOptions

F = TypeVar("F", bound=Callable[..., Any])


#: ``ci: CiOptions`` in a command: the checks and formats of :mod:`auditor.pipeline.settings`.
CiOptions = CheckOptions


def _parse_formats(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Any, ...]:
    from auditor.errors import InputError
    from auditor.report.outputs import FormatRequest

    try:
        return tuple(FormatRequest.parse(v) for v in values)
    except InputError as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param=param) from None


def ci_options(func: F) -> F:
    """--format, --waivers (old spelling: --exceptions), --baseline, --changed-only, --base -> ``ci``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        waivers, legacy = kwargs.pop("waivers"), kwargs.pop("legacy_exceptions")
        if waivers and legacy:
            raise click.UsageError("give --waivers once (--exceptions is its old spelling)")
        kwargs["ci"] = CiOptions(
            formats=kwargs.pop("formats"),
            waivers=waivers or legacy,
            baseline=kwargs.pop("baseline"),
            changed_only=kwargs.pop("changed_only"),
            base=kwargs.pop("base"),
        )
        if kwargs["ci"].base and not kwargs["ci"].changed_only:
            raise click.UsageError("--base only applies with --changed-only")
        return func(*args, **kwargs)

    options = [
        click.option("--format", "formats", multiple=True, callback=_parse_formats, metavar="NAME[=PATH]",
                     cls=RegistryHelpOption, registry=load_format_registry,
                     help="Also write an output format: {choices} (repeatable; "
                          "default path: next to results.json)."),
        click.option("--waivers", type=existing_file,
                     help="Waivers file (waivers.yaml): approved waivers; matching violations become 'waived'."),
        click.option("--exceptions", "legacy_exceptions", type=existing_file, hidden=True,
                     help="The old spelling of --waivers."),
        click.option("--baseline", type=existing_file,
                     help="Baseline (or results.json): fail only on violations not in it; all are reported."),
        click.option("--changed-only", is_flag=True,
                     help="Evaluate only controls whose control, policy, tests or evidence schemas changed."),
        click.option("--base", help="Revision --changed-only compares against (default: origin/main, else HEAD~1)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
