from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.report.sarif import SarifFormat, fingerprint
from tests.ci_helpers import FIXTURES, ci_document

SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-2.1.0.json").read_text())


def sarif(document: dict[str, Any]) -> dict[str, Any]:
    log = json.loads(SarifFormat().render(document))
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    return log


def test_validates_against_the_official_schema_with_rules_and_results(library: Path, evidence: Path) -> None:
    log = sarif(ci_document(library, evidence, exceptions=None))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["PRIV-001", "SEC-001", "SEC-002"]
    sec1 = rules["SEC-001"]
    assert sec1["shortDescription"]["text"] == "Gadgets are encrypted at rest"
    assert sec1["defaultConfiguration"]["level"] == "error"  # high
    assert rules["SEC-002"]["defaultConfiguration"]["level"] == "warning"  # medium
    assert rules["PRIV-001"]["properties"]["security-severity"] == "9.5"  # critical
    assert sec1["properties"]["tags"] == ["security", "iso27001-2022:A.8.24", "nist-ai-rmf-1.0:GOVERN 1.4"]
    assert "iso27001-2022:A.8.24" in sec1["help"]["text"]
    results = [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in run["results"]]
    assert results == [("SEC-001", "g-2"), ("SEC-001", "g-3"), ("SEC-002", "g-3")]
    first = run["results"][0]
    assert first["message"]["text"] == "Gadget g-2 is not encrypted at rest."
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "gadgets.json",
                                                                             "uriBaseId": "EVIDENCE"}
    assert first["ruleIndex"] == list(rules).index("SEC-001")
    assert first["partialFingerprints"]["auditorViolation/v1"] == fingerprint("SEC-001", "g-2")


def test_fingerprints_are_stable_across_runs_and_distinct(library: Path, evidence: Path) -> None:
    a = sarif(ci_document(library, evidence, exceptions=None))["runs"][0]["results"]
    b = sarif(ci_document(library, evidence, exceptions=None))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["auditorViolation/v1"] for r in a]
    assert prints == [r["partialFingerprints"]["auditorViolation/v1"] for r in b]
    assert len(set(prints)) == len(prints)


def test_waived_violations_are_suppressed_results_and_warnings_are_notifications(
    library: Path, evidence: Path
) -> None:
    (run,) = sarif(ci_document(library, evidence))["runs"]
    waived = [r for r in run["results"] if r.get("suppressions")]
    assert [r["locations"][0]["logicalLocations"][0]["name"] for r in waived] == ["g-2", "g-3"]
    suppression = waived[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"] == "Legacy gadget, decommissioned in Q1."
    assert suppression["properties"]["ticket"] == "SEC-101"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "warning" and "EX-002" in n["message"]["text"] for n in notes)


def test_not_evaluated_controls_are_results_not_silence(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    for control in document["controls"]:
        if control["id"] == "PRIV-001":
            control.update(status="insufficient_evidence", reason="no evidence items of kind: ledgers")
    (run,) = sarif(document)["runs"]
    priv = [r for r in run["results"] if r["ruleId"] == "PRIV-001"]
    assert len(priv) == 1 and "insufficient_evidence" in priv[0]["message"]["text"]
    assert priv[0]["level"] == "error"


@pytest.mark.parametrize("new", [True, False])
def test_baseline_state(library: Path, evidence: Path, tmp_path: Path, new: bool) -> None:
    baseline = tmp_path / "baseline.json"
    pairs = [] if new else [{"control": "SEC-001", "resource": "g-2"}]
    baseline.write_text(json.dumps({"kind": "auditor-baseline", "violations": pairs}))
    (run,) = sarif(ci_document(library, evidence, exceptions=None, baseline=baseline))["runs"]
    g2 = next(r for r in run["results"] if r["properties"]["resource"] == "g-2")
    assert g2["baselineState"] == ("new" if new else "unchanged")


def test_schema_rejects_a_broken_log() -> None:
    # The validation above could fail: the vendored schema is real and strict.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"results": []}]}, SCHEMA, cls=jsonschema.Draft4Validator)
