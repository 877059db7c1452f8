"""Cerberus validation of human-edited YAML, with messages naming file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cerberus import Validator
from cerberus.errors import BasicErrorHandler, ValidationError

from auditor.errors import InputError
from auditor.files import LineDict

_MESSAGES = BasicErrorHandler.messages


def _line(document: Any, path: tuple[Any, ...]) -> int | None:
    """Line of the deepest key along ``path`` that the YAML loader recorded."""
    node = document
    line = node.line if isinstance(node, LineDict) else None
    for key in path:
        if isinstance(node, LineDict):
            line = node.lines.get(str(key), line)
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if isinstance(node, LineDict):
                line = node.line
        else:
            break
    return line


def _leaves(errors: list[ValidationError]) -> list[ValidationError]:
    out: list[ValidationError] = []
    for error in errors:
        if error.is_group_error and error.child_errors:
            out.extend(_leaves(list(error.child_errors)))
        else:
            out.append(error)
    return out


def _describe(error: ValidationError, label: Callable[[tuple[Any, ...]], str] | None = None) -> str:
    field = (label(tuple(error.document_path)) if label else "") or (
        ".".join(str(p) for p in error.document_path) or "(document)"
    )
    template = _MESSAGES.get(error.code, "is invalid")
    try:
        expected = template.format(*error.info, constraint=error.constraint, field=field, value=error.value)
    except (IndexError, KeyError):
        expected = template
    if error.code == 0x03:  # unknown field
        return f"{field}: unknown field"
    if error.code == 0x02:  # required field
        return f"{field}: required field is missing"
    if error.rule == "nullable":
        return f"{field}: is empty, expected a value"
    found = error.value
    if error.rule == "allowed" and isinstance(error.constraint, (list, tuple)):
        expected = "one of " + ", ".join(str(c) for c in error.constraint)
    elif error.rule == "type":
        expected = f"a {error.constraint}" if isinstance(error.constraint, str) else f"one of types {error.constraint}"
    return f"{field}: found {found!r}, expected {expected}"


def validate(
    schema: dict[str, Any],
    document: Any,
    path: Path | str,
    what: str,
    label: Callable[[tuple[Any, ...]], str] | None = None,
) -> dict[str, Any]:
    """Validate ``document`` (from :func:`load_yaml_lines`) or raise :class:`InputError`.

    Returns the normalized document (defaults applied). ``label`` may turn an error's
    document path into a friendlier field name (e.g. naming the entry's control id).
    """
    if not isinstance(document, dict):
        found = "an empty file" if document is None else type(document).__name__
        raise InputError(f"{path}: expected a mapping ({what}), found {found}")
    validator = Validator(schema)
    if validator.validate(document):
        return validator.document
    problems = []
    for error in sorted(_leaves(list(validator._errors)), key=lambda e: [str(p) for p in e.document_path]):
        line = _line(document, tuple(error.document_path))
        where = f"{path}:{line}" if line else f"{path}"
        problems.append(f"{where}: {_describe(error, label)}")
    head = f"invalid {what}: " if len(problems) == 1 else f"invalid {what} ({len(problems)} problems):\n  "
    raise InputError(head + "\n  ".join(problems))
