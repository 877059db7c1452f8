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

Example: ``OscalAssessmentResults().render(results_doc)`` -> bytes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.files import pretty_json
from auditor.model import Status
from auditor.report import FORMATS, Format, as_document
from auditor.report.disabled import describe
from auditor.results_model import DisabledEntry, Population

if TYPE_CHECKING:
    from auditor.results_model import Results

OSCAL_VERSION = "1.1.2"
NS = "https://auditor.dev/ns/oscal"
_NAMESPACE = uuid.UUID("6f1d4c3e-5a8b-4d2e-9c1f-0a7b3e5d9c21")


def population_text(control: dict[str, Any]) -> str:
    """"3 of 4 in scope passed", or "not evaluated" (a control's ``population``)."""
    population = control.get("population")
    if not isinstance(population, dict):
        return "not evaluated"
    return Population(int(population["in_scope"]), int(population["passed"])).sentence()


def _uuid(run_id: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join((run_id, *parts))))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def _observation(run_id: str, evidence: dict[str, Any]) -> dict[str, Any]:
    path = str(evidence["path"])
    props = [
        _prop("evidence-kind", str(evidence["kind"])),
        _prop("evidence-sha256", str(evidence["sha256"])),
        _prop("evidence-items", str(evidence.get("items", 0))),
        _prop("collection-errors", str(len(evidence.get("errors") or []))),
    ]
    return {
        "uuid": _uuid(run_id, "observation", path),
        "title": f"Evidence {path}",
        "description": f"{evidence['kind']} collected from {evidence['source']}.",
        "props": props,
        "methods": ["TEST"],  # OSCAL's values: EXAMINE, INTERVIEW, TEST, UNKNOWN; a policy tested the evidence
        "types": ["control-objective"],
        "collected": evidence["collected_at"],
        "relevant-evidence": [{"href": f"evidence/{path}", "description": f"sha256 {evidence['sha256']}"}],
    }


def _finding(run_id: str, control: dict[str, Any], observations: dict[str, str]) -> dict[str, Any]:
    status = str(control["status"])
    props = [_prop("auditor-status", status), _prop("severity", str(control.get("severity", ""))),
             _prop("population", population_text(control))]
    population = control.get("population")
    if isinstance(population, dict):
        props += [_prop("population-in-scope", str(population["in_scope"])),
                  _prop("population-passed", str(population["passed"]))]
    props += [
        _prop("mapped-clause", f"{m['framework']} {m['clause']}")
        for m in control.get("mappings") or []
    ]
    state: dict[str, Any] = {"state": "satisfied" if status == Status.PASS else "not-satisfied"}
    if status in (Status.PASS, Status.FAIL):
        state["reason"] = status
    else:
        state["reason"] = "other"
    if control.get("reason"):
        state["remarks"] = str(control["reason"])
    finding: dict[str, Any] = {
        "uuid": _uuid(run_id, "finding", str(control["id"])),
        "title": f"{control['id']}: {control.get('title', '')}",
        "description": _description(control),
        "props": props,
        "target": {
            "type": "objective-id",
            "target-id": str(control["id"]),
            "status": state,
        },
    }
    related = [observations[p] for p in control.get("evidence") or [] if p in observations]
    related = related or [observations[_NO_EVIDENCE + str(control["id"])]]
    finding["related-observations"] = [{"observation-uuid": u} for u in related]
    return finding


_NO_EVIDENCE = "\x00no-evidence:"


def _absence(run_id: str, control: dict[str, Any], when: str) -> dict[str, Any]:
    """What was observed for a control that read no evidence document: that there was none."""
    kinds = ", ".join(control.get("evidence_kinds") or []) or "any kind"
    return {
        "uuid": _uuid(run_id, "observation", "no-evidence", str(control["id"])),
        "title": f"No evidence for {control['id']}",
        "description": f"No evidence document of {kinds} was given to {control['id']}; "
                       f"status {control['status']}: {control.get('reason', '')}",
        "props": [_prop("evidence-kind", kinds), _prop("evidence-items", "0")],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": when,
    }


def _description(control: dict[str, Any]) -> str:
    violations = control.get("violations") or []
    text = str(control.get("objective") or control.get("title") or control["id"]).strip()
    if violations:
        text += f" Violations: {len(violations)}."
    if isinstance(control.get("population"), dict):
        text += f" {population_text(control).capitalize()}."
    return text


def _plan_resource(plan: str, results: dict[str, Any], controls: list[dict[str, Any]]) -> dict[str, Any]:
    """The assessment plan ``import-ap`` names: which controls were assessed, how, and on what evidence."""
    engine = results.get("engine") or {}
    ids = ", ".join(str(c["id"]) for c in controls) or "none"
    return {
        "uuid": plan,
        "title": "Auditor assessment plan",
        "description": (f"Automated assessment by Auditor {engine.get('auditor', __version__)}: each control's Rego "
                        f"policy tests the evidence given to the run (method TEST) as of {results.get('as_of')}, "
                        f"failing at or above {results.get('fail_on')}. Controls assessed: {ids}."),
        "props": [_prop("assessed-controls", str(len(controls))),
                  _prop("engine", str(engine.get("name", "regorus")))],
    }


def assessment_results(results: dict[str, Any]) -> dict[str, Any]:
    run_id = str(results["run_id"])
    plan = _uuid(run_id, "assessment-plan")
    evidence = sorted(results.get("evidence") or [], key=lambda e: str(e["path"]))
    observations = [_observation(run_id, e) for e in evidence]
    by_path = {str(e["path"]): o["uuid"] for e, o in zip(evidence, observations, strict=True)}
    controls = sorted(results.get("controls") or [], key=lambda c: str(c["id"]))
    for control in controls:  # every finding relates to an observation, an absence of evidence included
        if not any(p in by_path for p in control.get("evidence") or []):
            absent = _absence(run_id, control, str(results["started_at"]))
            observations.append(absent)
            by_path[_NO_EVIDENCE + str(control["id"])] = absent["uuid"]
    result: dict[str, Any] = {
        "uuid": _uuid(run_id, "result"),
        "title": f"Auditor run {run_id}",
        "description": f"Controls evaluated against evidence as of {results.get('as_of')}.",
        "start": results["started_at"],
        "end": results["finished_at"],
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        "findings": [_finding(run_id, c, by_path) for c in controls],
    }
    disabled = sorted((DisabledEntry.from_dict(d) for d in results.get("disabled_controls") or []),
                      key=lambda d: d.id)
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
                "last-modified": results["finished_at"],
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
        results = as_document(results)
        return pretty_json(assessment_results(results))
