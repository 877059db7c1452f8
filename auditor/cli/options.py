"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.model import SEVERITIES

F = TypeVar("F", bound=Callable[..., Any])

existing_dir = click.Path(exists=True, file_okay=False, path_type=Path)
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def library_options(func: F) -> F:
    """--controls, --policies, --params."""
    func = click.option(
        "--params", type=existing_file, help="Organisation parameter overrides (YAML: control id -> values)."
    )(func)
    func = click.option(
        "--policies", type=existing_dir, help="Rego policies folder (default: ./policies or the bundled library)."
    )(func)
    func = click.option(
        "--controls", type=existing_dir, help="Control YAML folder (default: ./controls or the bundled library)."
    )(func)
    return func


def evaluation_options(func: F) -> F:
    """--fail-on, --engine, --as-of, --schemas."""
    func = click.option(
        "--schemas",
        type=existing_dir,
        multiple=True,
        help="Extra evidence schema folder(s) (<kind>.schema.json) for organisation-specific kinds.",
    )(func)
    func = click.option(
        "--as-of",
        help="Evaluation instant (RFC 3339). Default: the latest collected_at of the evidence.",
    )(func)
    func = click.option(
        "--engine", default="regorus", show_default=True, help="Policy engine: regorus (embedded) or opa."
    )(func)
    func = click.option(
        "--fail-on",
        type=click.Choice(SEVERITIES),
        default="high",
        show_default=True,
        help="Exit 1 when a control of this severity or higher does not pass.",
    )(func)
    return func
