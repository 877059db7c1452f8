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
from typing import TYPE_CHECKING, Any

from auditor.files import pretty_json
from auditor.model import Status
from auditor.report import FORMATS, Format, as_document

if TYPE_CHECKING:
    from auditor.results_model import Results
from auditor.report.common import clause_ids, clause_tags, population_text
from auditor.report.disabled import describe, disabled_controls

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


#: GitHub code scanning accepts at most 25,000 results per run (and shows at most 5,000 per rule)
MAX_RESULTS = 25_000
#: beyond this many results for one control, the rest is one aggregate result with the count
PER_RULE_CAP = 1_000


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
            # GitHub reads security-severity only on rules tagged "security"
            "tags": sorted({"security", control["family"], *clause_tags(control)}),
            "security-severity": SECURITY_SEVERITY[control["severity"]],
            "precision": "high",
            "severity": control["severity"],
            "family": control["family"],
            "clauses": clauses,
            "mappings": control.get("mappings", []),
            **({"source": control["source"]} if control.get("source") else {}),
        },
    }


def source_uri(control: dict[str, Any]) -> str:
    """The control's YAML relative to the library root (``controls/sod/SOD-001.yaml``), a file in the repository
    that holds the library; results.json written before ``source`` existed fall back to the conventional path."""
    return str(control.get("source") or f"controls/{control['family']}/{control['id']}.yaml")


def _locations(control: dict[str, Any], resource: str, kind: str = "resource") -> list[dict[str, Any]]:
    """One location: the control's YAML (physical, inside the repository), the evidence item (logical)."""
    return [{
        "physicalLocation": {"artifactLocation": {"uri": source_uri(control)}, "region": {"startLine": 1}},
        "logicalLocations": [{"name": resource, "fullyQualifiedName": f"{control['id']}/{resource}", "kind": kind}],
    }]


def _result(control: dict[str, Any], index: int, violation: dict[str, Any], baseline: bool,
            occurrence: int) -> dict[str, Any]:
    key = violation["resource"] if occurrence == 0 else f"{violation['resource']}\x00{occurrence}"
    result: dict[str, Any] = {
        "ruleId": control["id"],
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[control["severity"]],
        "message": {"text": violation["message"]},
        "locations": _locations(control, violation["resource"]),
        "partialFingerprints": {"auditorViolation/v1": fingerprint(control["id"], key)},
        "properties": {"resource": violation["resource"], "status": control["status"],
                       "evidence": list(control.get("evidence") or []),
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


def _entries(control: dict[str, Any]) -> list[dict[str, Any]]:
    return [*control.get("violations", []), *control.get("waived", [])]


def _not_evaluated(control: dict[str, Any]) -> bool:
    return control["status"] in (Status.ERROR, Status.INSUFFICIENT_EVIDENCE)


def per_rule_cap(controls: list[dict[str, Any]], limit: int = MAX_RESULTS, cap: int = PER_RULE_CAP) -> int:
    """The largest cap (at most ``cap``) for which every control's results, an aggregate result for each
    control over the cap and one result per unevaluated control fit in ``limit``."""
    sizes = [len(_entries(c)) for c in controls]
    fixed = sum(1 for c in controls if _not_evaluated(c))

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


def _aggregate(control: dict[str, Any], index: int, omitted: list[dict[str, Any]], cap: int) -> dict[str, Any]:
    waived = sum(1 for v in omitted if v.get("exception"))
    text = (f"{len(omitted)} more results of {control['id']} are not listed here ({waived} of them waived): "
            f"SARIF output keeps {cap} per control so a run stays within code scanning's {MAX_RESULTS} results; "
            "every violation is in results.json")
    return {
        "ruleId": control["id"],
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[control["severity"]],
        "message": {"text": text},
        "locations": _locations(control, control["id"], "control"),
        "partialFingerprints": {"auditorViolation/v1": fingerprint(control["id"], "aggregate:more")},
        "properties": {"status": control["status"], "aggregated": len(omitted), "aggregated_waived": waived,
                       "resources": sorted({v["resource"] for v in omitted})[:100],
                       "clauses": clause_ids(control), "population": population_text(control)},
    }


@FORMATS.register("sarif")
class SarifFormat(Format):
    """SARIF 2.1.0: one rule per control, one result per violation (GitHub code scanning).

    Example: ``auditor evaluate --evidence evidence/ --format sarif=out/auditor.sarif``
    """

    default_filename = "auditor.sarif"

    def render(self, given: Results | dict[str, Any]) -> bytes:
        results_document = as_document(given)
        doc = results_document
        controls = sorted(doc.get("controls", []), key=lambda c: c["id"])
        baseline = "baseline" in doc
        rules = [_rule(c) for c in controls]
        results: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        cap = per_rule_cap(controls)
        aggregated: dict[str, int] = {}
        for index, control in enumerate(controls):
            entries = _entries(control)
            seen: dict[str, int] = {}
            for entry in entries[:cap]:
                occurrence = seen.get(entry["resource"], 0)
                seen[entry["resource"]] = occurrence + 1
                results.append(_result(control, index, entry, baseline, occurrence))
            if len(entries) > cap:
                aggregated[control["id"]] = len(entries) - cap
                results.append(_aggregate(control, index, entries[cap:], cap))
                notifications.append({
                    "level": "warning",
                    "message": {"text": f"{control['id']}: {len(entries)} results, {cap} listed and "
                                        f"{len(entries) - cap} aggregated into one result (see results.json)"},
                    "descriptor": {"id": "aggregated"},
                    "associatedRule": {"id": control["id"], "index": index},
                })
            if _not_evaluated(control):
                text = f"{control['id']} was not evaluated ({control['status']}): {control['reason']}"
                results.append({
                    "ruleId": control["id"],
                    "ruleIndex": index,
                    "kind": "fail",
                    "level": "error" if control["status"] == Status.ERROR else LEVELS[control["severity"]],
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
                "executionSuccessful": not any(c["status"] == Status.ERROR for c in controls),
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
                **({"aggregated": {"per_rule_cap": cap, "controls": aggregated}} if aggregated else {}),
            },
        }
        if doc.get("started_at"):
            run["invocations"][0]["startTimeUtc"] = doc["started_at"]
        if doc.get("finished_at"):
            run["invocations"][0]["endTimeUtc"] = doc["finished_at"]
        return pretty_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})
