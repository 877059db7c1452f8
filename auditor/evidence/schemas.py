"""Evidence JSON Schemas: one envelope, one item schema per kind, compiled with jsonschema-rs.

Evidence is bulk data (hundreds of thousands of items), so it is validated by a
compiled validator in one call per document; error messages are rebuilt to name
the document, the item index and the field, as the YAML validation does.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from auditor.content import schemas_dir
from auditor.errors import InputError

ENVELOPE = "envelope"


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
            return orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: malformed JSON schema: {exc.msg}") from None

    def _validator(self, kind: str) -> Any:
        if kind not in self._validators:
            schema = self.schema(kind)
            if kind != ENVELOPE:
                schema = {"type": "array", "items": schema}
            try:
                self._validators[kind] = jsonschema_rs.validator_for(schema, validate_formats=True)
            except (ValueError, jsonschema_rs.ValidationError) as exc:
                raise InputError(f"{self.paths[kind]}: invalid JSON Schema: {exc}") from None
        return self._validators[kind]

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
            raise InputError(f"{where}: {field}: {error.message}")
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
            raise InputError(f"{where}: {label}{ident}: {first.message}{more}")
        return kind
