"""The board and the evidence report on the demo organisation's services, SLOs, incidents, changes and models."""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.errors import InputError
from auditor.report.board import MODELS_SHOWN, PackNote, build_board, render_board_pdf
from auditor.report.board_markdown import render_board_markdown
from auditor.report.evidence_report import EvidenceReport
from auditor.report.service_facts import ReportEvidence, model_proofs, read_report_evidence, service_facts
from tests.conftest import REPO
from tests.golden import golden_results
from tests.report.conftest import outline_titles, pdf_pages
from tests.report.synthetic import synthetic_results

DEMO = REPO / "evidence" / "examples" / "demo"
EXCLUDING = ("iso27001-2022", "soc2-tsc-2017")


@pytest.fixture(scope="module")
def demo_results() -> dict[str, Any]:
    return golden_results()


@pytest.fixture(scope="module")
def demo_evidence(demo_results: dict[str, Any]) -> ReportEvidence:
    return read_report_evidence(demo_results, DEMO)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_service_headlines_from_the_demo_evidence(demo_results: dict[str, Any], demo_evidence: ReportEvidence) -> None:
    facts = {f.id: f for f in service_facts(demo_results, demo_evidence)}
    assert list(facts) == ["ledger-service", "payments-api", "customer-portal", "mobile-bff", "statements-batch"]
    ledger, payments, batch = facts["ledger-service"], facts["payments-api"], facts["statements-batch"]
    assert ledger.owner == "Kwame Mensah" and ledger.tier == 1
    assert ledger.budget_sentence() == "exhausted: availability overspent by 69% of its budget"
    assert ledger.slo_sentence() == "0 of 1 SLOs met (availability 99.83% against 99.90%)"
    # payments-api: CHG0031002 unsuccessful, of three completed changes; the P1 is the worst incident
    assert (payments.failed_changes, payments.changes) == (1, 3)
    assert payments.change_sentence() == "33% (1 of 3 changes failed)"
    assert payments.worst_incident is not None and payments.worst_incident.id == "INC0012001"
    assert payments.budget_sentence() == "38% left (latency, the lowest)"
    # controls with a finding on the service's own resources: SM-007 (its SLO report), SM-008 (its deployment)
    ledger_findings = {cid for cid, _, here in ledger.controls if here == "finding"}
    assert {"SM-007", "SM-008"} <= ledger_findings
    assert "SM-007" not in {cid for cid, _, here in payments.controls if here == "finding"}
    # a staging service is not judged by the production service controls: no 'pass' claimed for it
    assert batch.controls == [] and batch.control_sentence() == "no control judged this service"
    assert batch.slo_sentence() == "no SLO defined"


def test_ai_proof_points_per_high_risk_model(demo_evidence: ReportEvidence) -> None:
    proofs = {p.id: p for p in model_proofs(demo_evidence)}
    assert "credit-risk-pd:6" not in proofs  # retired
    assert all(p.stage != "retired" for p in proofs.values())
    assert proofs["app-fraud-scam-detect:3"].rollback is False
    assert proofs["mortgage-affordability:3"].bias_check == "conditional"
    assert proofs["aml-alert-triage:4"].complete


def test_demo_board_is_two_pages_and_says_the_same_in_markdown(demo_results: dict[str, Any],
                                                               demo_evidence: ReportEvidence, catalogs: Any) -> None:
    pack = PackNote("pack.zip", "ab" * 32, development=True)
    summary = build_board(demo_results, catalogs=catalogs, org="Brightwater Financial", evidence=demo_evidence,
                          pack=pack)
    pages = pdf_pages(render_board_pdf(summary))
    assert len(pages) == 2
    first, text = _flat(pages[0]), _flat(" ".join(pages))
    assert "DEVELOPMENT-SIGNED PACK" in first and "ab" * 32 in first
    md = _flat(render_board_markdown(summary))
    for sentence in ("exhausted (availability 69% overspent)", "33% (1 of 3 changes failed)",
                     "worst P1 INC0012001", "| ISO/IEC 27001:2022 | 116 of 116 | 22 (19%) | 3 (3%) | 0 (0%) | "
                     "94 (81%) | 8 of 45 (18%) | 45 of 45 |", "8 of 45 (18%)",
                     "Incidents and changes from 2026-08-22 to 2026-11-20 (the 90 days to the evidence's as-of",
                     "Back the freeze on routine changes to Ledger", "mortgage-affordability:3",
                     "A change nobody else approved lets one person put code into production",
                     "auditor verify pack.zip --key PUBLISHER.pub.pem"):
        if not sentence.startswith("|"):
            assert sentence in text, sentence
        assert sentence in md, sentence
    assert "ISO/IEC 27001:2022 116 of 116 22 (19%) 3 (3%) 0 (0%) 94 (81%) 8 of 45 (18%) 45 of 45" in text
    assert "Brightwater" not in render_board_markdown(build_board(demo_results, org="Other plc",
                                                                  evidence=demo_evidence))


def test_many_services_and_models_stay_two_pages(big_results: dict[str, Any], catalogs: Any) -> None:
    services = [{"id": f"svc-{i:02d}", "name": f"Service number {i} with a long descriptive name",
                 "environment": "production", "tier": 1 + i % 3,
                 "outcome": "Customers can do the thing this service exists for, quickly and reliably, every day.",
                 "owner": {"name": f"Owner {i}"}, "slos": [{"id": "availability"}, {"id": "latency"}]}
                for i in range(30)]
    slos = [{"id": f"svc-{i:02d}/{slo}", "service": f"svc-{i:02d}", "slo": slo, "target": 0.999,
             "attainment": 0.9985, "error_budget_remaining": -0.5, "window": "28d"}
            for i in range(30) for slo in ("availability", "latency")]
    incidents = [{"id": f"INC{i:04d}", "service": f"svc-{i % 30:02d}", "priority": "P1", "major": True,
                  "title": "A very long incident title describing at length what went wrong for customers",
                  "detected_at": f"2026-11-0{1 + i % 9}T00:00:00Z", "resolved_at": None} for i in range(90)]
    models = [{"id": f"model-with-a-long-name-{i:02d}:1", "stage": "production", "risk_tier": "high",
               "owner": {"name": "Model Owner"}, "model_card": None, "bias_evaluation": None, "rollback": None}
              for i in range(40)]
    evidence = ReportEvidence(Path(), {"services": services, "slo_reports": slos, "incidents": incidents,
                                          "models": models})
    results = copy.deepcopy(big_results)
    results["evidence"] += [{"path": f"{k}.json", "kind": k, "source": "test", "collected_at": "2026-11-20T08:00:00Z",
                             "sha256": "0" * 64, "size": 0, "items": 0, "errors": []} for k in ("services", "models")]
    # a run with applicability: every framework counted against applicable clauses, six excluded in two of them
    results["coverage"] = {fw: {"clauses": len(c.clauses), "applicable": len(c.clauses) - 6 * (fw in EXCLUDING),
                                "excluded": 6 * (fw in EXCLUDING), "automated": len(c.clauses) // 3, "automated_pass": 3,
                                "automated_fail": len(c.clauses) // 3 - 3, "attested": 1, "uncovered": len(c.clauses) - len(c.clauses) // 3 - 1 - 6 * (fw in EXCLUDING),
                                "excluded_clauses": [{"id": cid, "title": c.clauses[cid].title, "justification": "x"}
                                                     for cid in list(c.clauses)[:6 * (fw in EXCLUDING)]]}
                           for fw, c in catalogs.catalogs.items()}
    summary = build_board(results, catalogs=catalogs, org="Big Ltd", evidence=evidence,
                          pack=PackNote("pack.zip", signed=False))
    pages = pdf_pages(render_board_pdf(summary))
    assert len(pages) == 2
    text = _flat(" ".join(pages))
    assert "... and 25 more services in the evidence report" in text
    assert f"... and {40 - MODELS_SHOWN} more high-risk models in the evidence report" in text
    assert "30 of 30 services with SLO reports have exhausted an error budget" in text
    assert "UNSIGNED PACK" in _flat(pages[0])
    assert "Declared not applicable (in no denominator" in text and "ISO/IEC 27001:2022 4.1, 4.2" in text


def _copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "evidence"
    shutil.copytree(DEMO, target)
    return target


def test_reading_the_evidence_checks_it_is_what_the_run_read(demo_results: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"the run read .*services.json.*pass --evidence DIR"):
        read_report_evidence(demo_results, None)
    folder = _copy_demo(tmp_path)
    (folder / "incidents.json").unlink()
    with pytest.raises(InputError, match=r"incidents.json: not found; results.json lists it"):
        read_report_evidence(demo_results, folder)
    folder = _copy_demo(tmp_path / "again")
    doc = orjson.loads((folder / "services.json").read_bytes())
    doc["items"][0]["owner"] = None
    (folder / "services.json").write_bytes(orjson.dumps(doc))
    digest = hashlib.sha256((folder / "services.json").read_bytes()).hexdigest()
    with pytest.raises(InputError, match=rf"services.json: sha256 {digest} differs from .* the document changed"):
        read_report_evidence(demo_results, folder)
    # results without any document of these kinds need no folder
    assert read_report_evidence(synthetic_results(controls=3, violations=3), None).items == {}


def test_cli_board_needs_the_evidence_folder_and_takes_org(demo_results: dict[str, Any], tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_bytes(orjson.dumps(demo_results))
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", "board", "--results", str(results), "--format", "markdown"])
    assert missing.exit_code == 2 and "pass --evidence DIR" in missing.output
    assert "Traceback" not in missing.output
    ok = runner.invoke(cli, ["report", "board", "--results", str(results), "--format", "markdown",
                              "--evidence", str(DEMO), "--org", "Acme Mutual"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("# Compliance proof points: Acme Mutual")
    assert "Ledger (tier 1, production); owner Kwame Mensah" in ok.output
    evidence_pdf = tmp_path / "evidence-report.pdf"
    report = runner.invoke(cli, ["report", "evidence", "--results", str(results), "--evidence", str(DEMO),
                                  "--org", "Acme Mutual", "--out", str(evidence_pdf)])
    assert report.exit_code == 0, report.output
    titles = outline_titles(evidence_pdf.read_bytes())
    assert "Services" in titles and "Payments API (payments-api)" in titles


def test_evidence_report_per_service_view_keeps_populations(demo_results: dict[str, Any],
                                                            demo_evidence: ReportEvidence) -> None:
    data = EvidenceReport(demo_results, org="Brightwater Financial", evidence=demo_evidence).render()
    text = _flat(" ".join(pdf_pages(data)))
    start = text.index("Ledger (ledger-service)", text.index("Services", text.index("Contents") + 500))
    ledger = text[start:text.index("Payments API (payments-api)", start)]
    assert "SM-007 SLO attainment meets its target over the window finding" in ledger
    assert "4 of 5 in scope passed" in ledger  # SM-007's population, as in results.json
    assert "INC0012002" in ledger and "-69%" in ledger
    sm7 = next(c for c in demo_results["controls"] if c["id"] == "SM-007")
    assert sm7["impact"].split()[0] in text and "Impact if it fails" in text
