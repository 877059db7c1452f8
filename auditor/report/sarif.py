"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, IDEs).

Usage: ``auditor evaluate --evidence DIR --format sarif=out/auditor.sarif``.

* One rule per control: short/full description, help (remediation), default
  level from severity (critical/high -> ``error``, medium -> ``warning``, low ->
  ``note``), ``security-severity`` for GitHub, tags = family + framework clauses
  (``iso27001-2022:A.8.32``), clause ids again under ``properties.clauses``.
* One result per violation with one location: the control's YAML as the physical
  location (``controls/<family>/<ID>.yaml``, relative to the library root: a file in
  the repository that holds the library), the evidence item as the logical location;
  the evidence documents read are ``properties.evidence``. ``partialFingerprints``
  hash control id + resource (+ an occurrence number when one resource has several
  violations) so re-runs de-duplicate and no two results share one.
* At most 25,000 results per run (GitHub code scanning's limit): beyond a cap per
  control (1,000, lowered when needed to fit), the rest of a control's results are one
  aggregate result with the count, a warning notification and
  ``runs[0].properties.aggregated``; results.json keeps every violation. Waived violations are
  results with an accepted external ``suppression`` carrying the waiver.
  With a baseline, ``baselineState`` is ``new`` or ``unchanged``.
* Controls that could not be evaluated (``error``, ``insufficient_evidence``)
  are one result each with the control id as logical location, and a
  tool-execution notification; they are never silently absent.
* Warnings are ``toolExecutionNotifications`` of level ``warning``.
* Populations: every result's ``properties.population`` ("3 of 4 in scope passed"),
  and ``runs[0].properties.controls`` gives each control's status and population,
  passing controls included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from auditor.files import pretty_json
from auditor.model import SEVERITIES, Status
from auditor.report import FORMATS, Format
from auditor.report.disabled import describe
from auditor.results_model import ControlOutcome, Results, Violation, WaivedViolation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: SARIF level and GitHub security-severity of each severity (SEVERITIES, least severe first)
LEVELS = dict(zip(SEVERITIES, ("note", "warning", "error", "error"), strict=True))
SECURITY_SEVERITY = dict(zip(SEVERITIES, ("3.0", "5.5", "8.0", "9.5"), strict=True))


#: GitHub code scanning accepts at most 25,000 results per run (and shows at most 5,000 per rule)
MAX_RESULTS = 25_000
#: beyond this many results for one control, the rest is one aggregate result with the count
PER_RULE_CAP = 1_000


def fingerprint(control_id: str, resource: str) -> str:
    return hashlib.sha256(f"{control_id}\x00{resource}".encode()).hexdigest()[:32]


def _rule(control: ControlOutcome) -> dict[str, Any]:
    clauses = control.clause_ids()
    help_text = control.remediation or control.objective
    mapped = ", ".join(control.clause_tags()) or "none"
    return {
        "id": control.id,
        "name": control.id.replace("-", ""),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.objective},
        "help": {
            "text": f"{help_text}\nFramework clauses: {mapped}. Owner: {control.owner}.",
            "markdown": f"{help_text}\n\n**Framework clauses:** {mapped}  \n**Owner:** {control.owner}",
        },
        "defaultConfiguration": {"level": LEVELS[control.severity]},
        "properties": {
            # GitHub reads security-severity only on rules tagged "security"
            "tags": sorted({"security", control.family, *control.clause_tags()}),
            "security-severity": SECURITY_SEVERITY[control.severity],
            "precision": "high",
            "severity": control.severity,
            "family": control.family,
            "clauses": clauses,
            "mappings": [m.to_dict() for m in control.mappings],
            **({"source": control.source} if control.source else {}),
        },
    }


def source_uri(control: ControlOutcome) -> str:
    """The control's YAML relative to the library root (``controls/sod/SOD-001.yaml``), a file in the repository
    that holds the library; results.json written before ``source`` existed fall back to the conventional path."""
    return control.source or f"controls/{control.family}/{control.id}.yaml"


def _locations(control: ControlOutcome, resource: str, kind: str = "resource") -> list[dict[str, Any]]:
    """One location: the control's YAML (physical, inside the repository), the evidence item (logical)."""
    return [{
        "physicalLocation": {"artifactLocation": {"uri": source_uri(control)}, "region": {"startLine": 1}},
        "logicalLocations": [{"name": resource, "fullyQualifiedName": f"{control.id}/{resource}", "kind": kind}],
    }]


Entry = Violation | WaivedViolation


def _result(control: ControlOutcome, index: int, violation: Entry, baseline: bool,
            occurrence: int) -> dict[str, Any]:
    key = violation.resource if occurrence == 0 else f"{violation.resource}\x00{occurrence}"
    result: dict[str, Any] = {
        "ruleId": control.id,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[control.severity],
        "message": {"text": violation.message},
        "locations": _locations(control, violation.resource),
        "partialFingerprints": {"auditorViolation/v1": fingerprint(control.id, key)},
        "properties": {"resource": violation.resource, "status": control.status.value,
                       "evidence": list(control.evidence),
                       "clauses": control.clause_ids(), "population": control.population_text()},
    }
    if baseline and isinstance(violation, Violation) and violation.new is not None:
        result["baselineState"] = "new" if violation.new else "unchanged"
    if isinstance(violation, WaivedViolation):
        suppression = {"kind": "external", "status": "accepted", "properties": violation.waiver.to_dict()}
        if violation.waiver.reason is not None:
            suppression["justification"] = violation.waiver.reason
        result["suppressions"] = [suppression]
        result["properties"]["status"] = Status.WAIVED.value
    return result


def _entries(control: ControlOutcome) -> list[Entry]:
    return [*control.violations, *control.waived_violations]


def _size(control: ControlOutcome) -> tuple[int, bool]:
    """(results it gives, whether it was not evaluated) of a control."""
    return len(_entries(control)), control.explained


def per_rule_cap(controls: Sequence[ControlOutcome], limit: int = MAX_RESULTS,
                 cap: int = PER_RULE_CAP) -> int:
    """The largest cap (at most ``cap``) for which every control's results, an aggregate result for each
    control over the cap and one result per unevaluated control fit in ``limit``."""
    measured = [_size(c) for c in controls]
    sizes = [n for n, _ in measured]
    fixed = sum(1 for _, undecided in measured if undecided)

    def total(c: int) -> int:
        return fixed + sum(min(n, c) + (1 if n > c else 0) for n in sizes)

    low, high = 0, cap
    while low < high:
        mid = (low + high + 1) // 2
        if total(mid) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def _aggregate(control: ControlOutcome, index: int, omitted: list[Entry], cap: int) -> dict[str, Any]:
    waived = sum(1 for v in omitted if isinstance(v, WaivedViolation))
    text = (f"{len(omitted)} more results of {control.id} are not listed here ({waived} of them waived): "
            f"SARIF output keeps {cap} per control so a run stays within code scanning's {MAX_RESULTS} results; "
            "every violation is in results.json")
    return {
        "ruleId": control.id,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[control.severity],
        "message": {"text": text},
        "locations": _locations(control, control.id, "control"),
        "partialFingerprints": {"auditorViolation/v1": fingerprint(control.id, "aggregate:more")},
        "properties": {"status": control.status.value, "aggregated": len(omitted), "aggregated_waived": waived,
                       "resources": sorted({v.resource for v in omitted})[:100],
                       "clauses": control.clause_ids(), "population": control.population_text()},
    }


@FORMATS.register("sarif")
class SarifFormat(Format):
    """SARIF 2.1.0: one rule per control, one result per violation (GitHub code scanning).

    Example: ``auditor evaluate --evidence evidence/ --format sarif=out/auditor.sarif``
    """

    default_filename = "auditor.sarif"

    def render(self, given: Results | dict[str, Any]) -> bytes:
        doc = Results.coerce(given)
        controls = sorted(doc.controls, key=lambda c: c.id)
        baseline = doc.has_baseline
        rules = [_rule(c) for c in controls]
        results: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        cap = per_rule_cap(controls)
        aggregated: dict[str, int] = {}
        for index, control in enumerate(controls):
            entries = _entries(control)
            seen: dict[str, int] = {}
            for entry in entries[:cap]:
                occurrence = seen.get(entry.resource, 0)
                seen[entry.resource] = occurrence + 1
                results.append(_result(control, index, entry, baseline, occurrence))
            if len(entries) > cap:
                aggregated[control.id] = len(entries) - cap
                results.append(_aggregate(control, index, entries[cap:], cap))
                notifications.append({
                    "level": "warning",
                    "message": {"text": f"{control.id}: {len(entries)} results, {cap} listed and "
                                        f"{len(entries) - cap} aggregated into one result (see results.json)"},
                    "descriptor": {"id": "aggregated"},
                    "associatedRule": {"id": control.id, "index": index},
                })
            if control.explained:
                status = control.status.value
                text = f"{control.id} was not evaluated ({status}): {control.reason}"
                results.append({
                    "ruleId": control.id,
                    "ruleIndex": index,
                    "kind": "fail",
                    "level": "error" if control.status is Status.ERROR else LEVELS[control.severity],
                    "message": {"text": text},
                    "locations": _locations(control, control.id, "control"),
                    "partialFingerprints": {
                        "auditorViolation/v1": fingerprint(control.id, f"status:{status}")
                    },
                    "properties": {"status": status, "clauses": control.clause_ids(),
                                   "population": control.population_text()},
                })
                notifications.append({
                    "level": "error",
                    "message": {"text": text},
                    "descriptor": {"id": status},
                    "associatedRule": {"id": control.id, "index": index},
                })
        disabled = doc.disabled
        for off in disabled:  # a rule switched off (SARIF's enabled: false), never a pass
            rule = {
                "id": off.id,
                "name": off.id.replace("-", ""),
                "shortDescription": {"text": off.title},
                "defaultConfiguration": {"enabled": False, "level": LEVELS[off.severity]},
                "properties": {"severity": off.severity, "family": off.family, "status": "disabled",
                               "reason": off.reason, "disabled_by": off.disabled_by,
                               "layer": off.layer, "tags": [off.family]},
            }
            rules.append(rule)
            notifications.append({"level": "note", "message": {"text": describe(off)},
                                  "descriptor": {"id": "disabled"},
                                  "associatedRule": {"id": off.id, "index": len(rules) - 1}})
        for warning in doc.warnings or []:
            notifications.append({"level": "warning", "message": {"text": warning}})
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "Auditor",
                    "version": doc.engine.get("auditor", "") or "unknown",
                    "rules": rules,
                }
            },
            "automationDetails": {"id": "auditor/"},
            "invocations": [{
                "executionSuccessful": not any(c.status is Status.ERROR for c in controls),
                "exitCode": doc.exit_code,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "run_id": doc.run_id,
                "as_of": doc.as_of,
                "fail_on": doc.fail_on,
                "summary": doc.summary,
                # every control's status and population ("3 of 4 in scope passed"), passing ones included
                "controls": {c.id: {"status": c.status.value, "population": c.population_text(),
                                    **({"in_scope": c.population.in_scope, "passed": c.population.passed}
                                       if c.population is not None else {})}
                             for c in controls},
                "waivers": [w.to_dict() for w in doc.waivers or []],
                "warnings": doc.warnings or [],
                **({"disabled_controls": [e.to_dict() for e in disabled]} if disabled else {}),
                **({"aggregated": {"per_rule_cap": cap, "controls": aggregated}} if aggregated else {}),
            },
        }
        if doc.started_at:
            run["invocations"][0]["startTimeUtc"] = doc.started_at
        if doc.finished_at:
            run["invocations"][0]["endTimeUtc"] = doc.finished_at
        return pretty_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})
