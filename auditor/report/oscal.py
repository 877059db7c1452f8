"""OSCAL Assessment Results (1.1) from results.json.

One observation per evidence document (with its path, sha256 and collection
time), one finding per control: target ``objective-id`` = the control id, state
``satisfied`` only for ``pass``, the Auditor status, the population ("3 of 4 in
scope passed", with ``population-in-scope`` and ``population-passed`` counts) and
every mapped framework clause as properties in Auditor's namespace, and links to the observations of
the evidence the control read (or, when it read none, to an observation of that
absence: every finding relates to an observation). Observation methods use OSCAL's
values (``TEST``). ``import-ap`` points at a back-matter resource describing the
assessment (``#<uuid>``), so it resolves within the document. UUIDs are derived from the run id, so the same
results always give the same bytes.

Example: ``OscalAssessmentResults().render(Results.read(Path("out/results.json")))`` -> bytes
(a results document is accepted too: it is checked first, exit 2 naming the field).
"""

from __future__ import annotations

import uuid
from typing import Any

from auditor import __version__
from auditor.files import pretty_json
from auditor.model import Status
from auditor.report import FORMATS, Format
from auditor.report.disabled import describe
from auditor.results_model import ControlOutcome, EvidenceEntry, Results

OSCAL_VERSION = "1.1.2"
NS = "https://auditor.dev/ns/oscal"
_NAMESPACE = uuid.UUID("6f1d4c3e-5a8b-4d2e-9c1f-0a7b3e5d9c21")
#: the statuses OSCAL's ``reason`` names as they are; any other is ``other``
_OWN_REASON = frozenset({Status.PASS, Status.FAIL})


def _uuid(run_id: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join((run_id, *parts))))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def _observation(run_id: str, evidence: EvidenceEntry) -> dict[str, Any]:
    path = evidence.path
    props = [
        _prop("evidence-kind", evidence.kind),
        _prop("evidence-sha256", evidence.sha256),
        _prop("evidence-items", str(evidence.items)),
        _prop("collection-errors", str(len(evidence.errors))),
    ]
    return {
        "uuid": _uuid(run_id, "observation", path),
        "title": f"Evidence {path}",
        "description": f"{evidence.kind} collected from {evidence.source}.",
        "props": props,
        "methods": ["TEST"],  # OSCAL's values: EXAMINE, INTERVIEW, TEST, UNKNOWN; a policy tested the evidence
        "types": ["control-objective"],
        "collected": evidence.collected_at,
        "relevant-evidence": [{"href": f"evidence/{path}", "description": f"sha256 {evidence.sha256}"}],
    }


def _finding(run_id: str, control: ControlOutcome, observations: dict[str, str]) -> dict[str, Any]:
    status = control.status
    props = [_prop("auditor-status", status.value), _prop("severity", control.severity),
             _prop("population", control.population_text())]
    if control.population is not None:
        props += [_prop("population-in-scope", str(control.population.in_scope)),
                  _prop("population-passed", str(control.population.passed))]
    props += [_prop("mapped-clause", f"{m.framework} {m.clause}") for m in control.mappings]
    state: dict[str, Any] = {"state": "satisfied" if control.passing else "not-satisfied",
                             "reason": status.value if status in _OWN_REASON else "other"}
    if control.reason:
        state["remarks"] = control.reason
    finding: dict[str, Any] = {
        "uuid": _uuid(run_id, "finding", control.id),
        "title": f"{control.id}: {control.title}",
        "description": _description(control),
        "props": props,
        "target": {
            "type": "objective-id",
            "target-id": control.id,
            "status": state,
        },
    }
    related = [observations[p] for p in control.evidence if p in observations]
    related = related or [observations[_NO_EVIDENCE + control.id]]
    finding["related-observations"] = [{"observation-uuid": u} for u in related]
    return finding


_NO_EVIDENCE = "\x00no-evidence:"


def _absence(run_id: str, control: ControlOutcome, when: str) -> dict[str, Any]:
    """What was observed for a control that read no evidence document: that there was none."""
    kinds = ", ".join(control.evidence_kinds) or "any kind"
    return {
        "uuid": _uuid(run_id, "observation", "no-evidence", control.id),
        "title": f"No evidence for {control.id}",
        "description": f"No evidence document of {kinds} was given to {control.id}; "
                       f"status {control.status.value}: {control.reason}",
        "props": [_prop("evidence-kind", kinds), _prop("evidence-items", "0")],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": when,
    }


def _description(control: ControlOutcome) -> str:
    text = (control.objective or control.title or control.id).strip()
    if control.violations:
        text += f" Violations: {len(control.violations)}."
    if control.population is not None:
        text += f" {control.population_text().capitalize()}."
    return text


def _plan_resource(plan: str, results: Results, controls: list[ControlOutcome]) -> dict[str, Any]:
    """The assessment plan ``import-ap`` names: which controls were assessed, how, and on what evidence."""
    ids = ", ".join(c.id for c in controls) or "none"
    return {
        "uuid": plan,
        "title": "Auditor assessment plan",
        "description": (f"Automated assessment by Auditor {results.engine['auditor']}: each control's Rego "
                        f"policy tests the evidence given to the run (method TEST) as of {results.as_of}, "
                        f"failing at or above {results.fail_on}. Controls assessed: {ids}."),
        "props": [_prop("assessed-controls", str(len(controls))),
                  _prop("engine", results.engine["name"])],
    }


def assessment_results(results: Results) -> dict[str, Any]:
    """The OSCAL Assessment Results document of a run's typed results."""
    run_id = results.run_id
    plan = _uuid(run_id, "assessment-plan")
    evidence = sorted(results.evidence, key=lambda e: e.path)
    observations = [_observation(run_id, e) for e in evidence]
    by_path = {e.path: o["uuid"] for e, o in zip(evidence, observations, strict=True)}
    controls = sorted(results.controls, key=lambda c: c.id)
    for control in controls:  # every finding relates to an observation, an absence of evidence included
        if not any(p in by_path for p in control.evidence):
            absent = _absence(run_id, control, results.started_at)
            observations.append(absent)
            by_path[_NO_EVIDENCE + control.id] = absent["uuid"]
    result: dict[str, Any] = {
        "uuid": _uuid(run_id, "result"),
        "title": f"Auditor run {run_id}",
        "description": f"Controls evaluated against evidence as of {results.as_of}.",
        "start": results.started_at,
        "end": results.finished_at,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        "findings": [_finding(run_id, c, by_path) for c in controls],
    }
    disabled = results.disabled
    if disabled:  # reviewed, but excluded from the assessment by a library layer, with the reason
        selection = result["reviewed-controls"]["control-selections"][0]
        selection["exclude-controls"] = [{"control-id": d.id} for d in disabled]
        selection["props"] = [_prop("disabled-control", describe(d)) for d in disabled]
        selection["remarks"] = "Disabled by an organisation library layer, not evaluated: " + "; ".join(
            describe(d) for d in disabled)
    if observations:
        result["observations"] = observations
    if not result["findings"]:
        del result["findings"]
    return {
        "assessment-results": {
            "uuid": _uuid(run_id, "assessment-results"),
            "metadata": {
                "title": f"Auditor assessment results, run {run_id}",
                "last-modified": results.finished_at,
                "version": str(__version__),
                "oscal-version": OSCAL_VERSION,
            },
            # resolves to the back-matter resource below: the plan is Auditor's control library as run
            "import-ap": {"href": f"#{plan}"},
            "results": [result],
            "back-matter": {"resources": [_plan_resource(plan, results, controls)]},
        }
    }


@FORMATS.register("oscal")
class OscalAssessmentResults(Format):
    """OSCAL 1.1 Assessment Results JSON (``oscal/assessment-results.json`` in every pack).

    One observation per evidence document, one finding per control with its status and mapped clauses.

    Example: ``auditor evaluate --evidence ev/ --format oscal=out/assessment-results.json``
    """

    default_filename = "assessment-results.json"

    def render(self, results: Results | dict[str, Any]) -> bytes:
        return pretty_json(assessment_results(Results.coerce(results)))
