"""Complete, valid results documents for unit tests that care about a few fields.

Each builder fills every field results.json always holds (``auditor.results_check``) with a neutral
value; a test names only what it asserts on. ``summary`` is counted from the controls given, so a
built document passes the check :class:`auditor.results_model.Results` runs when it reads one::

    doc = results_document([control_entry("SEC-009", Status.FAIL, severity="high")])
    typed = Results.from_dict(doc)
"""

from __future__ import annotations

from typing import Any

from auditor import __version__
from auditor.model import Status
from auditor.results import SCHEMA_VERSION
from auditor.results_model import ControlOutcome, Results

WHEN = "2026-01-01T00:00:00Z"


def evidence_entry(path: str, kind: str, sha256: str = "0" * 64, **fields: Any) -> dict[str, Any]:
    """One ``evidence`` entry: the document at ``path`` (relative to the evidence folder) of ``kind``."""
    return {"path": path, "kind": kind, "source": "test", "collected_at": WHEN, "sha256": sha256, "size": 0,
            "items": 0, "errors": [], **fields}


def control_entry(control_id: str, status: Status, **fields: Any) -> dict[str, Any]:
    """One ``controls`` entry; ``population`` defaults to None (not evaluated), ``objective`` to empty."""
    entry: dict[str, Any] = {
        "id": control_id, "title": "T", "objective": "", "family": "security", "severity": "high",
        "owner": "test", "policy": f"{control_id.lower().replace('-', '_')}.rego", "evidence_kinds": [],
        "evidence": [], "parameters": {}, "status": status.value, "reason": status.value, "violations": [],
        "population": None, "duration_ms": 0, "mappings": [], **fields,
    }
    entry.setdefault("violation_count", len(entry["violations"]))
    return entry


def control_outcome(control_id: str, status: Status, **fields: Any) -> ControlOutcome:
    return ControlOutcome.from_dict(control_entry(control_id, status, **fields))


def results_document(controls: list[dict[str, Any]], evidence: list[dict[str, Any]] | None = None,
                     **fields: Any) -> dict[str, Any]:
    """A whole results document holding ``controls`` and ``evidence``, its summary counted from them."""
    by_family: dict[str, dict[str, int]] = {}
    for c in controls:
        by_family.setdefault(c["family"], {s.value: 0 for s in Status})[c["status"]] += 1
    by_status = {s.value: sum(1 for c in controls if c["status"] == s.value) for s in Status}
    return {
        "schema_version": SCHEMA_VERSION, "run_id": "r1", "started_at": WHEN, "finished_at": WHEN, "as_of": WHEN,
        "engine": {"name": "regorus", "version": "0", "auditor": __version__}, "fail_on": "high", "exit_code": 0,
        "evidence": list(evidence or []), "controls": list(controls),
        "summary": {"total": len(controls), "by_status": by_status, "by_family": by_family}, **fields,
    }


def results(controls: list[dict[str, Any]], evidence: list[dict[str, Any]] | None = None, **fields: Any) -> Results:
    """:func:`results_document`, checked and typed."""
    return Results.from_dict(results_document(controls, evidence, **fields))
