from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.report.sarif import MAX_RESULTS, PER_RULE_CAP, SarifFormat, fingerprint, per_rule_cap
from auditor.results_model import Results
from tests.ci_helpers import FIXTURES, ci_document

SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-2.1.0.json").read_text())


def check_code_scanning_rules(log: dict[str, Any], repository: Path | None = None) -> None:
    """What GitHub code scanning requires beyond the schema (its SARIF support documentation)."""
    (run,) = log["runs"]
    results = run["results"]
    assert len(results) <= MAX_RESULTS
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        props = rule.get("properties", {})
        if "security-severity" in props:
            assert "security" in props["tags"], rule["id"]
            assert 0.0 <= float(props["security-severity"]) <= 10.0
    prints = []
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert "uriBaseId" not in location["physicalLocation"]["artifactLocation"]  # relative to the repository
        assert not uri.startswith("/") and ".." not in uri.split("/")
        if repository is not None:
            assert (repository / uri).is_file(), uri
        assert location["logicalLocations"][0]["name"]
        prints.append(tuple(sorted(result["partialFingerprints"].items())))
    assert len(set(prints)) == len(prints), "two results share a fingerprint"


def sarif(document: dict[str, Any], repository: Path | None = None) -> dict[str, Any]:
    log = json.loads(SarifFormat().render(document))
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    check_code_scanning_rules(log, repository)
    return log


def test_validates_against_the_official_schema_with_rules_and_results(library: Path, evidence: Path) -> None:
    log = sarif(ci_document(library, evidence, exceptions=None), repository=library)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["PRIV-001", "SEC-001", "SEC-002"]
    sec1 = rules["SEC-001"]
    assert sec1["shortDescription"]["text"] == "Gadgets are encrypted at rest"
    assert sec1["defaultConfiguration"]["level"] == "error"  # high
    assert rules["SEC-002"]["defaultConfiguration"]["level"] == "warning"  # medium
    assert rules["PRIV-001"]["properties"]["security-severity"] == "9.5"  # critical
    assert sec1["properties"]["tags"] == ["iso27001-2022:A.8.24", "nist-ai-rmf-1.0:GOVERN 1.4", "security"]
    assert "security" in rules["PRIV-001"]["properties"]["tags"]  # a privacy control still carries the tag
    assert "iso27001-2022:A.8.24" in sec1["help"]["text"]
    results = [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in run["results"]]
    assert results == [("SEC-001", "g-2"), ("SEC-001", "g-3"), ("SEC-002", "g-3")]
    first = run["results"][0]
    assert first["message"]["text"] == "Gadget g-2 is not encrypted at rest."
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "controls/security/SEC-001.yaml"}
    assert first["locations"][0]["logicalLocations"][0] == {"name": "g-2", "fullyQualifiedName": "SEC-001/g-2",
                                                            "kind": "resource"}
    assert first["properties"]["evidence"] == ["gadgets.json"]
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


def _many(document: dict[str, Any], control_id: str, count: int, resource: str = "") -> None:
    for control in document["controls"]:
        if control["id"] == control_id:
            control["violations"] = [{"resource": resource or f"item-{i:06d}", "message": f"violation {i}"}
                                     for i in range(count)]
            control["violation_count"] = count
            control["status"] = "fail"


def test_a_run_over_the_limit_is_capped_per_rule_with_an_aggregate_result(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    _many(document, "SEC-001", 26_675)  # the real repository the issue reports
    _many(document, "SEC-002", 40)
    (run,) = sarif(document)["runs"]
    sec1 = [r for r in run["results"] if r["ruleId"] == "SEC-001"]
    assert len(sec1) == PER_RULE_CAP + 1
    (aggregate,) = [r for r in sec1 if "aggregated" in r["properties"]]
    assert aggregate["properties"]["aggregated"] == 26_675 - PER_RULE_CAP
    assert "25675 more results of SEC-001" in aggregate["message"]["text"]
    assert len([r for r in run["results"] if r["ruleId"] == "SEC-002"]) == 40  # under the cap: all listed
    assert run["properties"]["aggregated"] == {"per_rule_cap": PER_RULE_CAP, "controls": {"SEC-001": 25_675}}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"] == "aggregated" and "SEC-001" in n["message"]["text"] for n in notes)


def test_many_large_controls_lower_the_cap_to_fit_the_run_limit(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    for control_id in ("SEC-001", "SEC-002", "PRIV-001"):
        _many(document, control_id, 30_000)
    cap = per_rule_cap(Results.from_dict(document).controls)
    assert cap < PER_RULE_CAP or 3 * (PER_RULE_CAP + 1) <= MAX_RESULTS
    (run,) = sarif(document)["runs"]
    assert len(run["results"]) <= MAX_RESULTS


def test_cap_shrinks_when_the_limit_is_small(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    for control_id in ("SEC-001", "SEC-002", "PRIV-001"):
        _many(document, control_id, 50)
    controls = Results.from_dict(document).controls
    assert per_rule_cap(controls, limit=75, cap=1_000) == 24  # 3 x (24 + 1 aggregate) = 75
    assert per_rule_cap(controls, limit=1_000, cap=1_000) == 1_000


def test_several_violations_of_one_resource_get_distinct_fingerprints(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    _many(document, "SEC-001", 3, resource="g-9")
    (run,) = sarif(document)["runs"]
    g9 = [r for r in run["results"] if r["properties"].get("resource") == "g-9"]
    assert len(g9) == 3
    assert g9[0]["partialFingerprints"]["auditorViolation/v1"] == fingerprint("SEC-001", "g-9")  # stable for one


def test_the_rules_check_catches_what_code_scanning_rejects(library: Path, evidence: Path) -> None:
    log = json.loads(SarifFormat().render(ci_document(library, evidence, exceptions=None)))
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][1]["partialFingerprints"] = broken["runs"][0]["results"][0]["partialFingerprints"]
    with pytest.raises(AssertionError, match="fingerprint"):
        check_code_scanning_rules(broken)
    outside = json.loads(json.dumps(log))
    outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "../ev.json"
    with pytest.raises(AssertionError):
        check_code_scanning_rules(outside)


def test_golden_sarif_of_the_bundled_library_points_at_files_in_this_repository() -> None:
    from tests.conftest import REPO

    log = json.loads((FIXTURES / "golden" / "sarif-auditor.sarif").read_bytes())
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    check_code_scanning_rules(log, repository=REPO)
    assert log["runs"][0]["results"], "the demo organisation has violations"
