"""Evidence JSON Schemas: one envelope, one item schema per kind, compiled with jsonschema-rs.

Evidence is bulk data (hundreds of thousands of items), so it is validated by a
compiled validator in one call per document; error messages are rebuilt to name
the document, the item index and the field, as the YAML validation does.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs

from auditor.content import schemas_dir
from auditor.errors import InputError
from auditor.files import parse_json

ENVELOPE = "envelope"

#: evidence times lie in these years: the policies compute nanoseconds since 1970 in 64 bits
#: (1677 to 2262) and subtract times, so a schema-valid year 0001 or 9999 would make a control ``error``
YEAR_MIN, YEAR_MAX = 1900, 2099
#: added beside every ``"format": "date-time"`` / ``"date"`` of a schema, checked in Rust with the rest
YEAR_PATTERN = "^(19|20)[0-9][0-9]-"
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
EXPECTED_TIME = f"an RFC 3339 date-time with a timezone, in the years {YEAR_MIN} to {YEAR_MAX}"


def date_time_problem(value: str) -> str | None:
    """Why ``value`` is not a date-time evidence may hold (as the schemas check it), or None."""
    if not _RFC3339.fullmatch(value):
        return "not in the form 2026-11-20T12:00:00Z; a timezone is required"
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return "not a real date and time"
    if not YEAR_MIN <= int(value[:4]) <= YEAR_MAX:
        return f"year outside {YEAR_MIN} to {YEAR_MAX}"
    return None


def _bound_years(schema: Any) -> Any:
    """``schema`` with :data:`YEAR_PATTERN` required of every date-time and date string."""
    if isinstance(schema, dict):
        out = {key: _bound_years(value) for key, value in schema.items()}
        if out.get("format") in ("date-time", "date"):
            out["allOf"] = [*out.get("allOf", []), {"pattern": YEAR_PATTERN}]
        return out
    if isinstance(schema, list):
        return [_bound_years(value) for value in schema]
    return copy.copy(schema)


def _message(error: Any) -> str:
    kind = getattr(error, "kind", None)
    if type(kind).__name__ == "Pattern" and getattr(kind, "pattern", None) == YEAR_PATTERN:
        return f"found {error.instance!r}, expected a date-time in the years {YEAR_MIN} to {YEAR_MAX}"
    return str(error.message)


def _pointer(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SchemaSet:
    """The evidence kinds known to this run and their compiled validators."""

    def __init__(self, *extra_dirs: Path) -> None:
        """The bundled schemas, plus organisation-specific kinds from ``extra_dirs``."""
        self.dirs = [schemas_dir(), *(Path(d) for d in extra_dirs)]
        self._validators: dict[str, Any] = {}

    @cached_property
    def paths(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for directory in self.dirs:
            if not directory.is_dir():
                raise InputError(f"{directory}: evidence schema folder not found")
            for path in sorted(directory.glob("*.schema.json")):
                kind = path.name.removesuffix(".schema.json")
                if kind in found:  # policies trust the bundled schemas: a kind is never redefined
                    what = "a bundled evidence kind" if found[kind].parent == self.dirs[0] else "a kind"
                    raise InputError(
                        f"{path}: kind {kind!r}: found a schema for {what} already defined in {found[kind]}; "
                        "--schemas adds new kinds, it cannot redefine one (give yours a new kind name)"
                    )
                found[kind] = path
        if ENVELOPE not in found:
            raise InputError(f"{self.dirs[0]}: envelope.schema.json not found")
        return found

    @property
    def kinds(self) -> list[str]:
        return sorted(k for k in self.paths if k != ENVELOPE)

    def schema(self, kind: str) -> dict[str, Any]:
        path = self.paths[kind]
        try:
            schema: dict[str, Any] = parse_json(path.read_bytes(), path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        except InputError as exc:
            raise InputError(exc.message.replace("malformed JSON", "malformed JSON schema", 1)) from None
        return schema

    def _validator(self, kind: str) -> Any:
        if kind not in self._validators:
            schema = _bound_years(self.schema(kind))
            if kind != ENVELOPE:
                schema = {"type": "array", "items": schema}
            try:
                self._validators[kind] = jsonschema_rs.validator_for(schema, validate_formats=True)
            except (ValueError, jsonschema_rs.ValidationError) as exc:
                raise InputError(f"{self.paths[kind]}: invalid JSON Schema: {exc}") from None
        return self._validators[kind]

    def prepare(self) -> set[str]:
        """Compile every kind's validator now (before forking workers, so each need not); return the kinds
        compiled by this call (for :meth:`forget`). A schema that does not compile is left to be refused
        where a document of its kind is validated, as before."""
        try:
            kinds = [ENVELOPE, *self.kinds]
        except InputError:
            return set()
        compiled = set()
        for kind in kinds:
            if kind in self._validators:
                continue
            try:
                self._validator(kind)
            except InputError:
                continue
            compiled.add(kind)
        return compiled

    def forget(self, kinds: set[str]) -> None:
        """Drop the compiled validators of ``kinds`` (compiled again if used): memory for the engine."""
        for kind in kinds:
            self._validators.pop(kind, None)

    def validate_document(self, doc: Any, where: str) -> str:
        """Validate envelope then items; return the kind. Raises :class:`InputError`."""
        if not isinstance(doc, dict):
            raise InputError(f"{where}: expected an evidence document (a mapping), found {type(doc).__name__}")
        if "kind" not in doc:
            raise InputError(f"{where}: kind: required field is missing (one of: {', '.join(self.kinds)})")
        kind = doc["kind"]
        if not isinstance(kind, str) or kind == ENVELOPE or kind not in self.paths:
            raise InputError(f"{where}: kind: found {kind!r}, expected one of: {', '.join(self.kinds)}")
        envelope = self._validator(ENVELOPE)
        if not envelope.is_valid(doc):
            error = next(iter(envelope.iter_errors(doc)))
            field = _pointer(list(error.instance_path)) or "(document)"
            raise InputError(f"{where}: {field}: {_message(error)}")
        items = doc["items"]
        validator = self._validator(kind)
        if not validator.is_valid(items):
            errors = sorted(validator.iter_errors(items), key=lambda e: [str(p) for p in e.instance_path])
            first = errors[0]
            path = list(first.instance_path)
            field = "items" + (f"[{path[0]}]" if path else "")
            rest = _pointer(path[1:])
            label = field + (f".{rest}" if rest and not rest.startswith("[") else rest)
            ident = ""
            if path and isinstance(items[path[0]], dict) and "id" in items[path[0]]:
                ident = f" (id {items[path[0]]['id']!r})"
            more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
            raise InputError(f"{where}: {label}{ident}: {_message(first)}{more}")
        return kind
