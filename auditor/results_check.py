"""Check a results.json before a report reads it: a damaged file is exit 2 naming the field.

The reports read results written by this or an earlier version of Auditor, possibly edited or
truncated on the way. Everything Auditor always writes is required with its type (fields that
earlier versions did not write, and the optional ones, are typed when present); other fields are
allowed, so a newer writer's additions do not break an older reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema_rs

from auditor.errors import InputError
from auditor.model import SEVERITIES, Status
from auditor.results import SCHEMA_VERSION

_STR = {"type": "string"}
_INT = {"type": "integer"}
_STRINGS = {"type": "array", "items": _STR}
_COUNT = {"type": "integer", "minimum": 0}
_COUNTS = {"type": "object", "required": [s.value for s in Status], "additionalProperties": _COUNT}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


_VIOLATION = _object({"resource": _STR, "message": _STR}, {"new": {"type": "boolean"}})
_CONTROL = _object(
    {
        "id": _STR, "title": _STR, "objective": _STR, "family": _STR,
        "severity": {"enum": list(SEVERITIES)}, "owner": _STR, "policy": _STR, "evidence_kinds": _STRINGS,
        "evidence": _STRINGS, "parameters": {"type": "object"}, "status": {"enum": [s.value for s in Status]},
        "reason": _STR, "violations": {"type": "array", "items": _VIOLATION},
        "violation_count": {"type": "integer", "minimum": 0}, "duration_ms": {"type": "number", "minimum": 0},
        # null when the policy was not evaluated; ``required`` applies to the object only
        "population": {**_object({"in_scope": _COUNT, "passed": _COUNT}), "type": ["object", "null"]},
        "mappings": {"type": "array", "items": _object(
            {"framework": _STR, "clause": _STR}, {"strength": _STR, "rationale": _STR})},
    },
    {
        "impact": _STR,  # the control's impact sentence (absent in results written before it existed)
        "remediation": _STR,
        "source": _STR,
        "layer": _STR, "overridden": _STRINGS,
        "waived": {"type": "array", "items": _object(
            {"resource": _STR, "message": _STR, "exception": _object(
                {"id": _STR}, {"reason": _STR, "approver": {"type": ["string", "null"]}, "expires": _STR,
                               "ticket": _STR})})},
    },
)
_EVIDENCE = _object(
    {
        "path": _STR, "kind": _STR, "source": _STR, "collected_at": _STR, "sha256": _STR,
        "size": {"type": "integer", "minimum": 0}, "items": {"type": "integer", "minimum": 0},
        "errors": {"type": "array", "items": _object({"scope": _STR, "message": _STR}, {"code": _STR})},
    },
    {"collector": {"type": "object", "required": ["name", "version"], "additionalProperties": _STR},
     "organisation": _STR},
)
_EXCEPTION = _object(
    {"id": _STR, "control": _STR, "status": _STR},
    {"resource": _STR, "detail": _STR, "reason": _STR, "requester": _STR, "approver": {"type": ["string", "null"]},
     "created": _STR, "expires": _STR, "days_left": _INT, "ticket": _STR, "matched": _INT,
     "reason_not_applied": _STR},
)
_ENGINE = {"type": "object", "required": ["name", "version", "auditor"], "additionalProperties": _STR}
RESULTS_SCHEMA: dict[str, Any] = _object(
    {
        "schema_version": {"const": SCHEMA_VERSION}, "run_id": _STR, "started_at": _STR, "finished_at": _STR,
        "as_of": _STR, "engine": _ENGINE, "fail_on": {"enum": list(SEVERITIES)},
        "exit_code": _INT, "evidence": {"type": "array", "items": _EVIDENCE},
        "controls": {"type": "array", "items": _CONTROL},
        "summary": _object({"total": _INT, "by_status": _COUNTS, "by_family": {
            "type": "object", "additionalProperties": _COUNTS}}),
    },
    {
        "exceptions": {"type": "array", "items": _EXCEPTION}, "warnings": _STRINGS,
        "baseline": {"type": "object", "required": ["known", "new", "baseline_size"], "additionalProperties": _COUNT},
        "profile": _STR,
        "disabled_controls": {"type": "array", "items": _object(
            {k: _STR for k in ("id", "title", "family", "severity", "owner", "reason", "disabled_by", "layer")},
            {"mappings": {"type": "array", "items": _object({"framework": _STR, "clause": _STR})}})},
        # per framework: coverage_counts figures and the excluded clauses (absent before it existed)
        "coverage": {"type": "object", "additionalProperties": _object(
            {k: _COUNT for k in ("clauses", "applicable", "excluded", "automated", "automated_pass",
                                 "automated_fail", "attested", "uncovered")},
            {"excluded_clauses": {"type": "array", "items": _object({"id": _STR}, {"title": _STR,
                                                                                "justification": _STR})}})},
    },
)
_VALIDATOR = jsonschema_rs.validator_for(RESULTS_SCHEMA)


def _field(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(error: Any) -> str:
    kind = error.kind
    name = type(kind).__name__
    where = list(error.instance_path)
    if name == "Required":
        return f"{_field([*where, kind.property])}: required field is missing"
    found = f"found {_shown(error.instance)}"
    if name == "Type":
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        return f"{_field(where)}: {found}, expected {' or '.join(str(t) for t in types)}"
    if name in ("Enum", "Constant"):
        allowed = kind.options if name == "Enum" else [kind.expected_value]
        return f"{_field(where)}: {found}, expected {' or '.join(repr(a) for a in allowed)}"
    if name == "Minimum":
        return f"{_field(where)}: {found}, expected at least {kind.limit}"
    return f"{_field(where)}: {found}, expected {error.message}"


def check_results(document: Any, path: Path | str) -> dict[str, Any]:
    """``document`` (from :func:`auditor.results.read_results`) if a report can read it, else :class:`InputError`."""
    if not isinstance(document, dict):
        raise InputError(f"{path}: found {type(document).__name__}, expected an Auditor results document")
    if "schema_version" in document and document["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{path}: schema_version: found {_shown(document['schema_version'])}, expected "
                         f"{SCHEMA_VERSION!r} (results written by another version of Auditor)")
    if not _VALIDATOR.is_valid(document):
        errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: [str(p) for p in e.instance_path])
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise InputError(f"{path}: {_problem(errors[0])}{more}")
    return document
