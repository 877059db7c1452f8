"""Baselines for incremental adoption: the violations a team already knows about.

A baseline is the set of ``(control id, resource)`` pairs of a previous run. With
``--baseline`` the exit code counts only violations absent from it; every
violation is still reported, marked ``new: true|false``. Either a baseline file
(``auditor baseline``) or a full results.json is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import InputError
from auditor.files import pretty_json, write_atomic
from auditor.results_model import Results

BASELINE_KIND = "auditor-baseline"
BASELINE_VERSION = "1"


def _list(value: Any, where: str, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{where}: {field}: found {value!r}, expected a list")
    return value


def baseline_from_results(results: Results) -> dict[str, Any]:
    """The minimal, canonical baseline of a run's results (violations and waived ones)."""
    pairs = {(control.id, resource) for control in results.controls
             for resource in [*(v.resource for v in control.violations),
                              *(w.resource for w in control.waived_violations)]}
    return {
        "kind": BASELINE_KIND,
        "schema_version": BASELINE_VERSION,
        "source_run_id": results.run_id,
        "as_of": results.as_of,
        # what the baseline was taken from: a baseline of other evidence is refused (check_origin)
        "profile": results.profile,
        "evidence_sources": evidence_sources((e.kind, e.source) for e in results.evidence),
        "violations": [{"control": c, "resource": r} for c, r in sorted(pairs)],
    }


def evidence_sources(evidence: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``{kind: [source, ...]}`` of a run's evidence documents, given as (kind, source) pairs."""
    sources: dict[str, set[str]] = {}
    for kind, source in evidence:
        sources.setdefault(kind, set()).add(source)
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


def write_baseline(results: Results, path: Path) -> dict[str, Any]:
    baseline = baseline_from_results(results)
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

    def check_origin(self, profile: str | None, evidence: Iterable[tuple[str, str]]) -> None:
        """Refuse this baseline for a run of another profile or of other evidence ((kind, source) of each
        document the run read; see :func:`check_origin`)."""
        check_origin(self.path, self.document, profile, evidence_sources(evidence))


def load_baseline(path: Path) -> set[tuple[str, str]]:
    """Known ``(control, resource)`` pairs from a baseline file or a results.json."""
    return pairs_of(load_baseline_document(path), path)


def load_baseline_document(path: Path) -> dict[str, Any]:
    """A baseline file, or the baseline of a results.json (exit 2 on anything else).

    A results.json is checked like every results.json a command starts from
    (:meth:`auditor.results_model.Results.from_dict`: exit 2 naming the field)."""
    path = Path(path)
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: baseline file not found") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
    if isinstance(document, dict) and "kind" not in document and ("controls" in document or "run_id" in document):
        document = baseline_from_results(Results.from_dict(document, path))
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
