"""Baselines for incremental adoption: the violations a team already knows about.

A baseline is the set of ``(control id, resource)`` pairs of a previous run. With
``--baseline`` the exit code counts only violations absent from it; every
violation is still reported, marked ``new: true|false``. Either a baseline file
(``auditor baseline``) or a full results.json is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import InputError
from auditor.files import pretty_json, write_atomic

BASELINE_KIND = "auditor-baseline"
BASELINE_VERSION = "1"


def _list(value: Any, where: str, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{where}: {field}: found {value!r}, expected a list")
    return value


def baseline_from_results(document: dict[str, Any], where: str | Path = "results.json") -> dict[str, Any]:
    """The minimal, canonical baseline of a results.json document (violations and waived ones).

    ``where`` names the document in the :class:`InputError` raised for a malformed entry.
    """
    pairs = set()
    for i, control in enumerate(_list(document.get("controls", []), str(where), "controls")):
        control_id = control.get("id") if isinstance(control, dict) else None
        if not isinstance(control_id, str):
            raise InputError(f"{where}: controls[{i}].id: found {control_id!r}, expected a control id (string)")
        for key in ("violations", "waived"):
            for j, entry in enumerate(_list(control.get(key, []), str(where), f"controls[{i}].{key}")):
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if not isinstance(resource, str):
                    raise InputError(
                        f"{where}: controls[{i}].{key}[{j}].resource: found {resource!r}, expected a string"
                    )
                pairs.add((control_id, resource))
    return {
        "kind": BASELINE_KIND,
        "schema_version": BASELINE_VERSION,
        "source_run_id": document.get("run_id"),
        "as_of": document.get("as_of"),
        # what the baseline was taken from: a baseline of other evidence is refused (check_origin)
        "profile": document.get("profile"),
        "evidence_sources": evidence_sources(document.get("evidence") or []),
        "violations": [{"control": c, "resource": r} for c, r in sorted(pairs)],
    }


def evidence_sources(evidence: list[dict[str, Any]]) -> dict[str, list[str]]:
    """``{kind: [source, ...]}`` of a results.json's evidence summaries (where each kind came from)."""
    sources: dict[str, set[str]] = {}
    for entry in evidence:
        if isinstance(entry, dict) and isinstance(entry.get("kind"), str):
            sources.setdefault(entry["kind"], set()).add(str(entry.get("source", "")))
    return {kind: sorted(values) for kind, values in sorted(sources.items())}


def check_origin(path: Path | str, baseline: dict[str, Any], profile: str | None,
                 current: dict[str, list[str]]) -> None:
    """Refuse a baseline taken from other evidence: another profile, or evidence none of whose sources
    this run shares (another organisation's, such as the bundled demo's). Baselines written before
    these fields existed carry no origin and are not checked."""
    if "profile" in baseline and baseline.get("profile") != profile:
        raise InputError(f"{path}: profile: the baseline was taken with profile {baseline.get('profile')!r}, "
                         f"this run uses {profile!r}; take the baseline again with the same --profile "
                         "(auditor baseline --results <this run's results.json>)")
    recorded = baseline.get("evidence_sources")
    if not isinstance(recorded, dict) or not recorded or not current:
        return
    common = sorted(set(recorded) & set(current))
    shared = [k for k in common if set(recorded[k]) & set(current[k])]
    if not shared:
        theirs = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(recorded.items())[:4])
        ours = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(current.items())[:4])
        raise InputError(f"{path}: evidence_sources: the baseline was taken from other evidence ({theirs}), "
                         f"not this run's ({ours}); record the baseline from your own run: "
                         "auditor run --out-dir out; auditor baseline --results out/results.json")


def write_baseline(document: dict[str, Any], path: Path, source: str | Path = "results.json") -> dict[str, Any]:
    baseline = baseline_from_results(document, source)
    write_atomic(path, pretty_json(baseline))
    return baseline


@dataclass(frozen=True)
class Baseline:
    """A baseline read from ``path``: its document (for :func:`check_origin`) and its known pairs."""

    path: Path
    document: dict[str, Any]
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def read(cls, path: Path) -> Baseline:
        """Read a baseline file or a results.json (exit 2 on anything else)."""
        document = load_baseline_document(path)
        return cls(Path(path), document, frozenset(pairs_of(document, path)))

    def check_origin(self, profile: str | None, evidence: list[dict[str, Any]]) -> None:
        """Refuse this baseline for a run of another profile or other evidence (see :func:`check_origin`)."""
        check_origin(self.path, self.document, profile, evidence_sources(evidence))


def load_baseline(path: Path) -> set[tuple[str, str]]:
    """Known ``(control, resource)`` pairs from a baseline file or a results.json."""
    return pairs_of(load_baseline_document(path), path)


def load_baseline_document(path: Path) -> dict[str, Any]:
    """A baseline file, or the baseline of a results.json (exit 2 on anything else)."""
    path = Path(path)
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: baseline file not found") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
    if isinstance(document, dict) and "controls" in document and "run_id" in document:
        document = baseline_from_results(document, path)
    if not isinstance(document, dict) or document.get("kind") != BASELINE_KIND:
        raise InputError(f"{path}: kind: expected {BASELINE_KIND!r} or an Auditor results.json")
    return document


def pairs_of(document: dict[str, Any], path: Path | str) -> set[tuple[str, str]]:
    pairs = set()
    for index, entry in enumerate(_list(document.get("violations", []), str(path), "violations")):
        if not (isinstance(entry, dict) and isinstance(entry.get("control"), str)
                and isinstance(entry.get("resource"), str)):
            raise InputError(f"{path}: violations[{index}]: found {entry!r}, expected "
                             "{control: string, resource: string}")
        pairs.add((entry["control"], entry["resource"]))
    return pairs
