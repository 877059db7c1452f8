"""``results.json``: the run's results, documented in the README, canonical and stable.

Two runs on the same inputs differ only in ``run_id``, the timestamps and ``duration_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from auditor.errors import InputError
from auditor.evaluate import Run
from auditor.evidence.load import parse_time
from auditor.files import pretty_json, write_atomic
from auditor.mappings import MappingSet
from auditor.model import ControlResult, Status

if TYPE_CHECKING:
    from auditor.results_model import Results

SCHEMA_VERSION = "1"


def control_source(path: Path) -> str:
    """``controls/sod/SOD-001.yaml``: a control file relative to the library folder that holds it."""
    parts = path.parts[-3:]
    return "/".join(parts)


def control_entry(
    result: ControlResult, mappings: MappingSet | None = None, baseline: set[tuple[str, str]] | None = None
) -> dict[str, Any]:
    control = result.control
    violations: list[dict[str, Any]] = [dict(v.to_dict()) for v in result.violations]
    if baseline is not None:
        for v in violations:
            v["new"] = (control.id, v["resource"]) not in baseline
    entry: dict[str, Any] = {
        "id": control.id,
        "title": control.title,
        "objective": control.objective,
        "impact": control.impact,
        "family": control.family.value,
        "severity": control.severity,
        "owner": control.owner,
        "policy": control.policy,
        # the control's YAML, relative to its library root (controls/<family>/<ID>.yaml): SARIF's location
        "source": control_source(control.path),
        "evidence_kinds": list(control.evidence),
        "evidence": list(result.evidence),
        "parameters": result.parameters,
        "status": result.status.value,
        "reason": result.reason,
        "violations": violations,
        "violation_count": len(result.violations),
        # how many items the control judged and how many passed; null when it was never evaluated
        "population": result.population.to_dict() if result.population is not None else None,
        "duration_ms": result.duration_ms,
        "mappings": [m.to_dict() for m in mappings.clauses_for(control.id)] if mappings else [],
    }
    if control.remediation:
        entry["remediation"] = control.remediation
    if result.waived:
        entry["waived"] = result.waived
    return entry


def summary(results: list[ControlResult]) -> dict[str, Any]:
    by_status = {s.value: 0 for s in Status}
    by_family: dict[str, dict[str, int]] = {}
    for r in results:
        by_status[r.status.value] += 1
        counts = by_family.setdefault(r.control.family.value, {s.value: 0 for s in Status})
        counts[r.status.value] += 1
    return {
        "total": len(results),
        "by_status": by_status,
        "by_family": {k: v for k, v in by_family.items() if sum(v.values())},
    }


def results_document(run: Run) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "as_of": run.as_of,
        "engine": run.engine,
        "fail_on": run.fail_on,
        "exit_code": int(run.exit_code()),
        "evidence": [d.summary() for d in run.evidence.documents],
        "controls": [_with_layer(run, control_entry(r, run.mappings, run.baseline))
                     for r in sorted(run.results, key=lambda r: r.control.id)],
        "summary": {**summary(run.results),
                    **({"disabled": len(run.library.disabled)} if run.library.disabled else {})},
        "exceptions": run.waivers,
        "warnings": run.warnings,
        **({"baseline": baseline_summary(run)} if run.baseline is not None else {}),
        **disabled_section(run),
        **profile_section(run),
        **coverage_of(run),
    }


def coverage_of(run: Run) -> dict[str, Any]:
    """``coverage``: per framework, clauses counted against the applicable ones (automated, attested,
    uncovered; excluded with justification), from the run's mappings, statuses and attestations."""
    if run.mappings is None or not run.mappings.catalogs:
        return {}
    from auditor.mappings.coverage import coverage_section

    statuses = {r.control.id: r.status.value for r in run.results}
    return {"coverage": coverage_section(run.mappings, statuses, run.attestations, parse_time(run.as_of))}


def profile_section(run: Run) -> dict[str, Any]:
    """``profile``: the profile the run evaluated (``--profile``), when one was selected."""
    names = sorted({d.layer.removeprefix("profile:") for d in run.library.disabled.values()
                    if d.layer.startswith("profile:")})
    return {"profile": names[0]} if names else {}


def _with_layer(run: Run, entry: dict[str, Any]) -> dict[str, Any]:
    """Name the layer of a control an organisation library added, and what its overrides changed."""
    library = run.library
    if library.origin(entry["id"]) not in ("bundled", "base"):  # the base layer: auditor.layers
        entry["layer"] = library.origin(entry["id"])
    if entry["id"] in library.changed:
        entry["overridden"] = list(library.changed[entry["id"]])
    return entry


def disabled_section(run: Run) -> dict[str, Any]:
    """Controls a library layer disabled: a distinct record (never a result, never a pass), when there are any."""
    disabled = sorted(run.library.disabled.values(), key=lambda d: d.control.id)
    if not disabled:
        return {}
    entries = []
    for item in disabled:
        entry = item.to_dict()
        entry["mappings"] = [m.to_dict() for m in run.mappings.clauses_for(item.control.id)] if run.mappings else []
        entries.append(entry)
    return {"disabled_controls": entries}


def baseline_summary(run: Run) -> dict[str, int]:
    known = new = 0
    for r in run.results:
        for v in r.violations:
            if (r.control.id, v.resource) in (run.baseline or set()):
                known += 1
            else:
                new += 1
    return {"known": known, "new": new, "baseline_size": len(run.baseline or ())}


@dataclass(frozen=True)
class WrittenResults:
    """A results.json as written by this run (or read once from disk): where, its bytes, its document.

    Everything after the evaluation (formats, reports, the pack, the locker, S3) takes this object,
    so results.json is written once and never parsed again inside one run.
    """

    path: Path
    raw: bytes
    document: dict[str, Any]

    @cached_property
    def results(self) -> Results:
        """The document typed (and checked: exit 2 naming the field when it is not a results document)."""
        from auditor.results_model import Results

        return Results.from_dict(self.document, self.path)

    @classmethod
    def read(cls, path: Path) -> WrittenResults:
        """Read (once) a results.json a command starts from."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{path}: results file not found") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read results: {exc.strerror}") from None
        return cls(path, raw, parse_results(raw, path))


def write_results(run: Run, path: Path) -> dict[str, Any]:
    document = results_document(run)
    write_atomic(path, pretty_json(document))
    return document


def parse_results(raw: bytes, path: Path | str) -> dict[str, Any]:
    """The document of a results.json's bytes; clear error if it is not one."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
    if not isinstance(document, dict) or "controls" not in document or "run_id" not in document:
        raise InputError(f"{path}: not an Auditor results file (expected 'run_id' and 'controls')")
    return document


def read_results(path: Path) -> dict[str, Any]:
    """Read a results.json written by Auditor; clear error if it is not one."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: results file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read results: {exc.strerror}") from None
    return parse_results(raw, path)
