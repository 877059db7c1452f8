"""Exports from systems without an API (CSV, JSON, YAML) as evidence of a given kind.

Each row is converted using the kind's item schema (CSV cells are text: integers,
numbers and booleans are parsed where the schema says so, ``a.b`` columns become
nested objects, ``;`` separates list values), then validated against that schema.
Every bad row is reported with its row number and field, and nothing is written
unless every row is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from auditor.collect.base import COLLECTORS, Clock, Collector, Document, Option, Progress
from auditor.errors import InputError

#: Names people use for the exports this collector reads, and the kind each one is.
ALIASES = {
    "access-review": "access_reviews",
    "access-reviews": "access_reviews",
    "retention-register": "data_stores",
    "dsar-log": "dsar_requests",
    "model-registry": "models",
}
MAX_REPORTED = 25
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if isinstance(kind, str):
        return [kind]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [t for sub in schema[key] for t in _types(sub)]
    return []


def coerce(text: str, schema: dict[str, Any]) -> Any:
    """A CSV cell as the schema's type says; left as text when it does not parse (validation reports it)."""
    types = _types(schema)
    value = text.strip()
    if "array" in types:
        item_schema = schema.get("items", {})
        return [coerce(part, item_schema) for part in value.split(";") if part.strip()]
    if "boolean" in types and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    if "integer" in types:
        try:
            return int(value)
        except ValueError:
            pass
    if "number" in types:
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            pass
    return value


def _property(schema: dict[str, Any], path: list[str]) -> dict[str, Any]:
    for part in path:
        schema = schema.get("properties", {}).get(part, {})
    return schema


def nullable(schema: dict[str, Any]) -> bool:
    return "null" in _types(schema) or None in schema.get("enum", [0])


def csv_row(row: dict[str, str | None], schema: dict[str, Any]) -> dict[str, Any]:
    """One CSV row as an item: empty cells are null where the schema allows it (else absent),
    ``a.b`` headers nest."""
    item: dict[str, Any] = {}
    for header, cell in row.items():
        if header is None or cell is None:
            continue
        path = [p.strip() for p in header.strip().split(".")]
        prop = _property(schema, path)
        if not cell.strip():
            if not nullable(prop):
                continue
            value: Any = None
        else:
            value = coerce(cell, prop)
        target = item
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return item


def resolve_kind(kind: str, known: list[str]) -> str:
    resolved = ALIASES.get(kind, kind).replace("-", "_")
    if resolved not in known:
        from auditor.collect.itsm import PRESETS

        options = ", ".join(sorted({*known, *ALIASES, *PRESETS}))
        raise InputError(f"--kind: found {kind!r}, expected one of: {options}")
    return resolved


@COLLECTORS.register("file")
class FileCollector(Collector):
    """CSV, JSON or YAML exports as evidence of ``--kind``: access reviews, a retention register,
    a DSAR log, a model registry export, or an organisation's own kind (an HR leavers list)
    with its schema given by ``--schemas``.

    Rows are validated against ``evidence/schemas/<kind>.schema.json``; bad rows are
    rejected with their row number and field, and no document is written unless every
    row is valid. JSON and YAML files hold a list of items (or ``{items: [...]}``).

    Presets (``--kind servicenow-change|servicenow-incident|jira-sm-change|jira-sm-incident|
    pagerduty-incident``) read a vendor's export and map its fields to the kind's items
    (``auditor.collect.itsm``; mappings in docs/service-management.md).

    Example::

        auditor collect file --kind access_reviews q3-access-review.csv --out evidence/
        auditor collect file --kind dsar-log dsar.yaml --out evidence/
        auditor collect file --kind leavers --schemas org-schemas/ leavers.csv --out evidence/
        auditor collect file --kind servicenow-change change_request.json --out evidence/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = (
        "access_grants", "access_reviews", "audit_trails", "changes", "data_stores", "deletion_jobs",
        "deployments", "dsar_requests", "identities", "models", "services", "change_requests", "incidents",
        "slo_reports",
    )
    permissions: ClassVar[tuple[str, ...]] = ("none: reads a local export file",)
    help: ClassVar[str] = ("A CSV, JSON or YAML export, validated row by row against the kind's schema (all or "
                           "nothing).")
    options: ClassVar[tuple[Option, ...]] = (
        Option("kind", "Evidence kind of the rows (e.g. access_reviews, dsar_requests).", required=True),
        Option("path", "The export file.", type="file", argument=True, required=True),
        Option("source", "Source recorded in the document (default: file:<name>)."),
        Option("schemas", "Extra evidence schema folder(s).", type="dir", multiple=True),
    )

    @classmethod
    def from_options(cls, values: dict[str, Any], notice: Callable[[str], None], **context: Any) -> Collector:
        """``--schemas`` folders become one schema set (the bundled schemas and these)."""
        from auditor.evidence import SchemaSet

        return cls(**{**values, "schemas": SchemaSet(*values.get("schemas", ()))}, **context)

    def __init__(
        self,
        kind: str,
        path: Path,
        schemas: Any = None,
        source: str | None = None,
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        from auditor.evidence import SchemaSet

        super().__init__(clock, progress)
        from auditor.collect.itsm import PRESETS

        self.schemas = schemas or SchemaSet()
        self.preset = PRESETS.get(kind)
        self.kind = resolve_kind(self.preset.kind if self.preset else kind, self.schemas.kinds)
        self.path = Path(path)
        self.source_name = source

    def emits(self, kind: str) -> bool:
        return kind == self.kind

    def collect(self) -> list[Document]:
        schema = self.schemas.schema(self.kind)
        rows = self.read(schema)
        items = self.validate(rows, schema)
        source = self.source_name or f"file:{self.path.name}"
        return [Document(self.kind, source, items, name=f"file-{self.kind}-{self.path.stem}")]

    def read(self, schema: dict[str, Any]) -> list[tuple[str, Any]]:
        """``(where, item)`` pairs; ``where`` is ``file:line`` for CSV and YAML, ``file: item N`` for JSON."""
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            return self._convert(self._csv(schema), {})
        if suffix in (".json", ".yaml", ".yml"):
            return self._structured(suffix)
        raise InputError(f"{self.path}: found a {suffix or 'suffix-less'} file, expected .csv, .json, .yaml or .yml")

    def _csv(self, schema: dict[str, Any]) -> list[tuple[str, Any]]:
        from auditor.files import read_text

        text = read_text(self.path)
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        if not reader.fieldnames:
            raise InputError(f"{self.path}:1: expected a header row")
        rows: list[tuple[str, Any]] = []
        line = 1
        try:
            for row in reader:
                start = line + 1
                line = reader.line_num
                if None in row:
                    rows.append((f"{self.path}:{start}", ValueError("more cells than header columns")))
                    continue
                if self.preset:  # vendor columns: the preset maps the raw cells (empty = absent)
                    rows.append((f"{self.path}:{start}", {k: v for k, v in row.items() if v and v.strip()}))
                    continue
                rows.append((f"{self.path}:{start}", csv_row(row, schema)))
        except csv.Error as exc:
            raise InputError(f"{self.path}:{reader.line_num}: malformed CSV: {exc}") from None
        return rows

    def _structured(self, suffix: str) -> list[tuple[str, Any]]:
        from auditor.files import line_of, load_data, load_yaml_lines

        data = load_data(self.path) if suffix == ".json" else load_yaml_lines(self.path)
        context = data if isinstance(data, dict) else {}
        for key in self.preset.envelopes if self.preset else ():
            if isinstance(data, dict) and key in data:
                data = data[key]
                break
        if isinstance(data, dict) and "items" in data:
            data = data["items"]
        if not isinstance(data, list):
            raise InputError(f"{self.path}: expected a list of items (or a mapping with 'items'), "
                             f"found {type(data).__name__}")
        rows = []
        for index, item in enumerate(data, 1):
            line = line_of(item, "id") if isinstance(item, dict) else None
            where = f"{self.path}:{line}" if line else f"{self.path}: item {index}"
            rows.append((where, _plain(item)))
        return self._convert(rows, _plain(context))

    def _convert(self, rows: list[tuple[str, Any]], context: dict[str, Any]) -> list[tuple[str, Any]]:
        """Rows through the preset (vendor row -> item), if any; a row it cannot map becomes its error."""
        if self.preset is None:
            return rows
        out: list[tuple[str, Any]] = []
        for where, row in rows:
            if isinstance(row, ValueError):
                out.append((where, row))
            elif not isinstance(row, dict):
                out.append((where, ValueError(f"expected a {self.preset.name} record (a mapping)")))
            else:
                try:
                    out.append((where, self.preset.convert(row, context)))
                except ValueError as exc:
                    out.append((where, ValueError(f"{self.preset.name}: {exc}")))
                except (TypeError, AttributeError, KeyError):
                    out.append((where, ValueError(f"{self.preset.name}: unexpected shape of the exported record")))
        return out

    def validate(self, rows: list[tuple[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
        with self.progress.task(f"validating {self.path.name}", len(rows)) as advance:
            return validate_rows(rows, schema, self.path, self.kind, advance)


def validate_rows(
    rows: list[tuple[str, Any]], schema: dict[str, Any], path: Path, kind: str,
    advance: Any = None,
) -> list[dict[str, Any]]:
    """Validate ``(where, item)`` rows against an item schema: all good, or :class:`InputError`
    naming every bad row's place and field (rows that are ``ValueError`` are reported as they are)."""
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    problems: list[str] = []
    seen: dict[str, str] = {}
    items = []
    for where, item in rows:
        if advance:
            advance(1)
        if isinstance(item, ValueError):
            problems.append(f"{where}: {item}")
            continue
        errors = sorted(validator.iter_errors(item), key=lambda e: [str(p) for p in e.instance_path])
        for error in errors:
            field = ".".join(str(p) for p in error.instance_path) or "(row)"
            problems.append(f"{where}: {field}: {error.message}")
        if errors:
            continue
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                problems.append(f"{where}: id: found {ident!r} again (first at {seen[ident]}), expected unique ids")
                continue
            seen[ident] = where
        items.append(item)
    if problems:
        more = f"\n  (and {len(problems) - MAX_REPORTED} more)" if len(problems) > MAX_REPORTED else ""
        raise InputError(
            f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}, nothing written:\n  "
            + "\n  ".join(problems[:MAX_REPORTED]) + more
        )
    if not items:
        raise InputError(f"{path}: no rows found, expected at least one {kind} item")
    return items


def _plain(value: Any) -> Any:
    """Line-tracking YAML mappings as plain dicts; dates as ISO strings."""
    import datetime as dt

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
