"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, IDEs).

Usage: ``auditor evaluate --evidence DIR --format sarif=out/auditor.sarif``.

* One rule per control: short/full description, help (remediation), default
  level from severity (critical/high -> ``error``, medium -> ``warning``, low ->
  ``note``), ``security-severity`` for GitHub, tags = family + framework clauses
  (``iso27001-2022:A.8.32``), clause ids again under ``properties.clauses``.
* One result per violation: the evidence documents the control read are its
  ``artifactLocation``s (relative to the evidence folder, ``uriBaseId``
  ``EVIDENCE``), the resource its ``logicalLocation``; ``partialFingerprints``
  hash control id + resource so re-runs de-duplicate. Waived violations are
  results with an accepted external ``suppression`` carrying the exception.
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
from typing import Any

from auditor.files import pretty_json
from auditor.report import FORMATS
from auditor.report.common import clause_ids, clause_tags, population_text
from auditor.report.disabled import describe, disabled_controls

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def fingerprint(control_id: str, resource: str) -> str:
    return hashlib.sha256(f"{control_id}\x00{resource}".encode()).hexdigest()[:32]


def _rule(control: dict[str, Any]) -> dict[str, Any]:
    clauses = clause_ids(control)
    help_text = control.get("remediation") or control["objective"]
    mapped = ", ".join(clause_tags(control)) or "none"
    return {
        "id": control["id"],
        "name": control["id"].replace("-", ""),
        "shortDescription": {"text": control["title"]},
        "fullDescription": {"text": control["objective"]},
        "help": {
            "text": f"{help_text}\nFramework clauses: {mapped}. Owner: {control.get('owner', '')}.",
            "markdown": f"{help_text}\n\n**Framework clauses:** {mapped}  \n**Owner:** {control.get('owner', '')}",
        },
        "defaultConfiguration": {"level": LEVELS[control["severity"]]},
        "properties": {
            "tags": [control["family"], *clause_tags(control)],
            "security-severity": SECURITY_SEVERITY[control["severity"]],
            "precision": "high",
            "severity": control["severity"],
            "family": control["family"],
            "clauses": clauses,
            "mappings": control.get("mappings", []),
        },
    }


def _locations(control: dict[str, Any], resource: str, kind: str = "resource") -> list[dict[str, Any]]:
    logical = [{"name": resource, "fullyQualifiedName": f"{control['id']}/{resource}", "kind": kind}]
    paths = control.get("evidence") or []
    if not paths:
        return [{"logicalLocations": logical}]
    return [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": path, "uriBaseId": "EVIDENCE"},
                "region": {"startLine": 1},
            },
            "logicalLocations": logical,
        }
        for path in paths
    ]


def _result(control: dict[str, Any], index: int, violation: dict[str, Any], baseline: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": control["id"],
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[control["severity"]],
        "message": {"text": violation["message"]},
        "locations": _locations(control, violation["resource"]),
        "partialFingerprints": {"auditorViolation/v1": fingerprint(control["id"], violation["resource"])},
        "properties": {"resource": violation["resource"], "status": control["status"],
                       "clauses": clause_ids(control), "population": population_text(control)},
    }
    if baseline and "new" in violation:
        result["baselineState"] = "new" if violation["new"] else "unchanged"
    exception = violation.get("exception")
    if exception:
        result["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": exception["reason"],
            "properties": dict(exception),
        }]
        result["properties"]["status"] = "waived"
    return result


@FORMATS.register("sarif")
class SarifFormat:
    """SARIF 2.1.0: one rule per control, one result per violation (GitHub code scanning).

    Example: ``auditor evaluate --evidence evidence/ --format sarif=out/auditor.sarif``
    """

    name = "sarif"
    default_filename = "auditor.sarif"

    def render(self, results_document: dict[str, Any]) -> bytes:
        doc = results_document
        controls = sorted(doc.get("controls", []), key=lambda c: c["id"])
        baseline = "baseline" in doc
        rules = [_rule(c) for c in controls]
        results: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        for index, control in enumerate(controls):
            for violation in control.get("violations", []):
                results.append(_result(control, index, violation, baseline))
            for waived in control.get("waived", []):
                results.append(_result(control, index, waived, baseline))
            if control["status"] in ("error", "insufficient_evidence"):
                text = f"{control['id']} was not evaluated ({control['status']}): {control['reason']}"
                results.append({
                    "ruleId": control["id"],
                    "ruleIndex": index,
                    "kind": "fail",
                    "level": "error" if control["status"] == "error" else LEVELS[control["severity"]],
                    "message": {"text": text},
                    "locations": _locations(control, control["id"], "control"),
                    "partialFingerprints": {
                        "auditorViolation/v1": fingerprint(control["id"], f"status:{control['status']}")
                    },
                    "properties": {"status": control["status"], "clauses": clause_ids(control),
                                   "population": population_text(control)},
                })
                notifications.append({
                    "level": "error",
                    "message": {"text": text},
                    "descriptor": {"id": control["status"]},
                    "associatedRule": {"id": control["id"], "index": index},
                })
        for entry in disabled_controls(doc):  # a rule switched off (SARIF's enabled: false), never a pass
            rule = {
                "id": entry["id"],
                "name": entry["id"].replace("-", ""),
                "shortDescription": {"text": entry["title"]},
                "defaultConfiguration": {"enabled": False, "level": LEVELS[entry["severity"]]},
                "properties": {"severity": entry["severity"], "family": entry["family"], "status": "disabled",
                               "reason": entry["reason"], "disabled_by": entry["disabled_by"],
                               "layer": entry["layer"], "tags": [entry["family"]]},
            }
            rules.append(rule)
            notifications.append({"level": "note", "message": {"text": describe(entry)},
                                  "descriptor": {"id": "disabled"},
                                  "associatedRule": {"id": entry["id"], "index": len(rules) - 1}})
        for warning in doc.get("warnings", []):
            notifications.append({"level": "warning", "message": {"text": warning}})
        engine = doc.get("engine", {})
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "Auditor",
                    "version": str(engine.get("auditor", "")) or "unknown",
                    "rules": rules,
                }
            },
            "automationDetails": {"id": "auditor/"},
            "invocations": [{
                "executionSuccessful": not any(c["status"] == "error" for c in controls),
                "exitCode": int(doc.get("exit_code", 0)),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "run_id": doc.get("run_id"),
                "as_of": doc.get("as_of"),
                "fail_on": doc.get("fail_on"),
                "summary": doc.get("summary", {}),
                # every control's status and population ("3 of 4 in scope passed"), passing ones included
                "controls": {c["id"]: {"status": c["status"], "population": population_text(c),
                                       **({"in_scope": c["population"]["in_scope"], "passed": c["population"]["passed"]}
                                          if isinstance(c.get("population"), dict) else {})}
                             for c in controls},
                "exceptions": doc.get("exceptions", []),
                "warnings": doc.get("warnings", []),
                **({"disabled_controls": disabled_controls(doc)} if disabled_controls(doc) else {}),
            },
        }
        if doc.get("started_at"):
            run["invocations"][0]["startTimeUtc"] = doc["started_at"]
        if doc.get("finished_at"):
            run["invocations"][0]["endTimeUtc"] = doc["finished_at"]
        return pretty_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})
