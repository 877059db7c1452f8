"""oscal/assessment-results.json validates with compliance-trestle's OSCAL models."""

from __future__ import annotations

from pathlib import Path

import orjson
from trestle.oscal.assessment_results import Model

from auditor.model import Status
from auditor.report import FORMATS
from auditor.report.oscal import assessment_results
from tests.pack.helpers import copy_evidence, make_results, member, pack
from tests.results_builder import control_entry, evidence_entry, results_document
from tests.results_builder import results as typed_results


def test_pack_oscal_validates_with_trestle(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    built = pack(results, evidence, tmp_path / "pack.zip", tmp_path / "key")
    doc = orjson.loads(member(built.path, "oscal/assessment-results.json"))
    model = Model.model_validate(doc)
    result = model.assessment_results.results[0]
    assert len(result.observations) == 2  # one per evidence document
    findings = {f.target.target_id: f for f in result.findings}
    assert set(findings) == {"PRIV-001", "SEC-001", "SEC-002"}  # one per control
    assert findings["PRIV-001"].target.status.state.value == "satisfied"
    assert findings["SEC-001"].target.status.state.value == "not-satisfied"
    statuses = {p.value for p in findings["SEC-001"].props if p.name == "auditor-status"}
    assert statuses == {"fail"}


def test_mapped_clauses_and_statuses_become_props() -> None:
    results = typed_results(
        [control_entry("SEC-009", Status.INSUFFICIENT_EVIDENCE, title="T", severity="high",
                       reason="no items of kind k", evidence=["a.json"],
                       mappings=[{"framework": "iso27001-2022", "clause": "A.8.24"}])],
        [evidence_entry("a.json", "k", "ab" * 32, source="s", items=1)],
        finished_at="2026-01-01T00:01:00Z")
    doc = assessment_results(results)
    Model.model_validate(doc)
    finding = doc["assessment-results"]["results"][0]["findings"][0]
    assert {"name": "mapped-clause", "ns": "https://auditor.dev/ns/oscal", "value": "iso27001-2022 A.8.24"} in finding["props"]
    assert finding["target"]["status"] == {"state": "not-satisfied", "reason": "other", "remarks": "no items of kind k"}
    observation = doc["assessment-results"]["results"][0]["observations"][0]
    assert finding["related-observations"] == [{"observation-uuid": observation["uuid"]}]
    check_oscal(doc)
    assert assessment_results(results) == doc  # deterministic uuids
    assert "oscal" in FORMATS


NIST_SCHEMA = orjson.loads((Path(__file__).parents[1] / "fixtures" / "oscal" / "oscal_complete_schema-1-1-3.json")
                           .read_bytes())
OSCAL_METHODS = {"EXAMINE", "INTERVIEW", "TEST", "UNKNOWN"}


def check_oscal(doc: dict) -> None:  # type: ignore[type-arg]
    """NIST's OSCAL 1.1.3 JSON schema, trestle's models, and the links between the parts."""
    import jsonschema_rs

    errors = [str(e) for e in jsonschema_rs.validator_for(NIST_SCHEMA).iter_errors(doc)]
    assert not errors, errors[:3]
    Model.model_validate(doc)
    ar = doc["assessment-results"]
    href = ar["import-ap"]["href"]
    assert href.startswith("#")
    assert href[1:] in {r["uuid"] for r in ar["back-matter"]["resources"]}, "import-ap does not resolve"
    (result,) = ar["results"]
    observations = {o["uuid"]: o for o in result.get("observations", [])}
    for observation in observations.values():
        assert set(observation["methods"]) <= OSCAL_METHODS
    for finding in result.get("findings", []):
        related = finding.get("related-observations") or []
        assert related, f"{finding['title']} relates to no observation"
        assert all(r["observation-uuid"] in observations for r in related)


def test_nist_schema_is_strict() -> None:
    import jsonschema_rs

    broken = {"assessment-results": {"uuid": "not-a-uuid", "metadata": {}, "results": []}}
    assert list(jsonschema_rs.validator_for(NIST_SCHEMA).iter_errors(broken))


def test_pack_oscal_passes_nist_schema_and_links(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    built = pack(results, evidence, tmp_path / "pack.zip", tmp_path / "key")
    check_oscal(orjson.loads(member(built.path, "oscal/assessment-results.json")))


def test_a_control_without_evidence_relates_to_an_observation_of_the_absence() -> None:
    results = typed_results(
        [control_entry("SEC-004", Status.INSUFFICIENT_EVIDENCE, title="T", severity="high",
                       reason="no production deployments in the evidence", evidence=[],
                       evidence_kinds=["deployments"])],
        [], run_id="r2", finished_at="2026-01-01T00:01:00Z")
    doc = assessment_results(results)
    check_oscal(doc)
    (observation,) = doc["assessment-results"]["results"][0]["observations"]
    assert "No evidence document of deployments" in observation["description"]
    assert observation["methods"] == ["TEST"]


def test_the_format_renders_a_results_document_only_once_it_is_checked() -> None:
    """``render`` takes typed Results; a results document (a third-party caller's) is checked first."""
    import pytest

    from auditor.errors import InputError

    document = results_document([control_entry("SEC-009", Status.PASS)], [])
    renderer = FORMATS.get("oscal")()
    assert renderer.render(document) == renderer.render(typed_results([control_entry("SEC-009", Status.PASS)], []))
    del document["controls"][0]["evidence_kinds"]
    with pytest.raises(InputError, match=r"controls\[0\]\.evidence_kinds: required field is missing") as raised:
        renderer.render(document)
    assert raised.value.exit_code == 2
