"""Options shared by several commands, gathered into small objects.

``@library_options`` gives a command one ``sources: Sources`` argument instead of
four paths; ``@evaluation_options`` gives it ``evaluation: EvaluationOptions``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.cli.plugins import RegistryChoice, RegistryHelpOption, load_engine_registry
from auditor.model import DEFAULT_FAIL_ON, SEVERITIES
from auditor.pipeline.settings import EvaluationOptions, Sources

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])

existing_dir = click.Path(exists=True, file_okay=False, path_type=Path)
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def library_option(func: F) -> F:
    """--library DIR (repeatable) -> ``libraries``."""
    return click.option(
        "--library", "libraries", type=existing_dir, multiple=True,
        help="An organisation library (controls/, policies/, mappings/, overrides.yaml) layered over the "
             "bundled one; repeatable, later layers on top (default: libraries: of ./auditor.yaml, or "
             "the current directory when it has its own controls/). See docs/layering.md.",
    )(func)


def library_options(func: F) -> F:
    """--library, --controls, --policies, --params, --mappings, --profile -> ``sources``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["sources"] = Sources(
            kwargs.pop("controls"), kwargs.pop("policies"), kwargs.pop("params"), kwargs.pop("mappings"),
            tuple(kwargs.pop("libraries")), kwargs.pop("profile"),
        )
        return func(*args, **kwargs)

    options = [
        library_option,
        click.option("--controls", type=existing_dir,
                     help="Replace the bundled control YAML folder (then --policies/--mappings default to "
                          "./policies, ./mappings when present)."),
        click.option("--policies", type=existing_dir,
                     help="Replace the bundled Rego policies folder."),
        click.option("--params", type=existing_file,
                     help="Organisation parameter overrides (YAML: control id -> values)."),
        click.option("--mappings", type=existing_dir,
                     help="Replace the bundled framework catalogs and mappings folder."),
        click.option("--profile", metavar="NAME",
                     help="Evaluate only the controls of this profile (controls/profiles.yaml; 'ci': what "
                          "repository, forge and pipeline evidence can decide); the others are reported as "
                          "not evaluated, never as passing or failing."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def opa_engine_options(
    engine: str, url: str | None, token_env: str | None, preloaded: bool, timeout: float
) -> dict[str, Any]:
    """Constructor options of the ``opa`` engine from the --opa-* flags (usage errors exit 2)."""
    if engine != "opa":
        if url or token_env or preloaded:
            raise click.UsageError("--opa-url, --opa-token-env and --opa-preloaded need --engine opa")
        return {}
    if not url:
        raise click.UsageError("--engine opa needs --opa-url URL (the OPA server or load balancer)")
    options: dict[str, Any] = {"url": url, "preloaded": preloaded, "timeout": timeout}
    if token_env:
        import os

        token = os.environ.get(token_env)
        if not token:
            raise click.UsageError(f"--opa-token-env: environment variable {token_env} is not set or empty")
        options["token"] = token
    return options


def check_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--as-of is held to the rule for evidence times: RFC 3339 with a timezone, in the years evidence may use."""
    if value is None:
        return None
    from auditor.evidence.schemas import EXPECTED_TIME, date_time_problem

    problem = date_time_problem(value)
    if problem:
        raise click.BadParameter(f"found {value!r}, expected {EXPECTED_TIME} ({problem})")
    return value


def evaluation_options(func: F) -> F:
    """--fail-on, --engine, --as-of, --schemas, --opa-*, --jobs, --control-* -> ``evaluation``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        engine = kwargs.pop("engine")
        kwargs["evaluation"] = EvaluationOptions(
            fail_on=kwargs.pop("fail_on"),
            engine=engine,
            as_of=kwargs.pop("as_of"),
            schemas=tuple(kwargs.pop("schemas")),
            redact_secrets=kwargs.pop("redact_secrets"),
            engine_options=opa_engine_options(
                engine, kwargs.pop("opa_url"), kwargs.pop("opa_token_env"), kwargs.pop("opa_preloaded"),
                kwargs.pop("opa_timeout"),
            ),
            jobs=kwargs.pop("jobs"),
            control_timeout=kwargs.pop("control_timeout"),
            control_memory=kwargs.pop("control_memory"),
            schedule_from=kwargs.pop("schedule_from"),
        )
        return func(*args, **kwargs)

    options = [
        click.option("--fail-on", type=click.Choice(SEVERITIES), default=DEFAULT_FAIL_ON, show_default=True,
                     help="Exit 1 when a control of this severity or higher does not pass."),
        click.option("--engine", default="regorus", show_default=True, cls=RegistryHelpOption,
                     registry=load_engine_registry, type=RegistryChoice(load_engine_registry), metavar="NAME",
                     help="Policy engine: {choices} (regorus: embedded; opa: a remote server, see --opa-url)."),
        click.option("--as-of", callback=check_as_of,
                     help="Evaluation instant (RFC 3339 with a timezone, e.g. 2026-11-20T12:00:00Z). "
                          "Default: latest collected_at of the evidence."),
        click.option("--schemas", type=existing_dir, multiple=True,
                     help="Extra evidence schema folder(s) (<kind>.schema.json) for organisation-specific kinds."),
        click.option("--redact-secrets", is_flag=True,
                     help="Replace secrets found in evidence with [REDACTED] (rewriting the file, recorded in "
                          "results.json) instead of refusing the evidence."),
        click.option("--opa-url", metavar="URL",
                     help="With --engine opa: the OPA server (or load balancer), e.g. https://opa.internal:8181."),
        click.option("--opa-token-env", metavar="VAR",
                     help="With --engine opa: environment variable holding the bearer token."),
        click.option("--opa-preloaded", is_flag=True,
                     help="With --engine opa: policies come from a bundle already loaded; push nothing."),
        click.option("--opa-timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
                     help="With --engine opa: seconds to wait for OPA's answer."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
                     help="Controls evaluated at once, each in its own worker process "
                          "(default: one per available core). Results do not depend on it."),
        click.option("--control-timeout", type=click.IntRange(min=1), default=60, show_default=True,
                     metavar="SECONDS",
                     help="CPU seconds one control may take; beyond, it ends as error and the run goes on."),
        click.option("--control-memory", type=click.IntRange(min=1), default=2048, show_default=True, metavar="MiB",
                     help="Memory one control may allocate beyond the evidence; beyond, it ends as error."),
        click.option("--schedule-from", type=existing_file, metavar="RESULTS",
                     help="An earlier results.json: start the controls that took longest first "
                          "(default: those reading the most evidence items)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
