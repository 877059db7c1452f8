"""The example organisation (tests/fixtures/soa-org): exclusions and attestations; SoA, coverage and
the figures reports use (``coverage_counts``) agree with each other.

tests/fixtures/soa-org/results.json is a real run (the demo evidence plus the organisation's
attestations), regenerated with::

    mkdir -p /tmp/soa && cp -r evidence/examples/demo /tmp/soa/evidence \
      && cp tests/fixtures/soa-org/evidence/attestations.json /tmp/soa/evidence/ \
      && auditor evaluate --evidence /tmp/soa/evidence --library tests/fixtures/soa-org \
           --as-of 2026-11-20T09:00:00Z -q --out tests/fixtures/soa-org/results.json
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.controls import load_library
from auditor.errors import InputError
from auditor.mappings.attestations import load_attestations
from auditor.mappings.coverage import control_statuses, coverage, coverage_counts
from auditor.mappings.load import load_layered_mappings
from auditor.report.soa import build_soa, to_pdf
from auditor.results import read_results
from auditor.results_model import Results

REPO = Path(__file__).resolve().parents[2]
ORG = REPO / "tests" / "fixtures" / "soa-org"
AS_OF = datetime(2026, 11, 20, 9, tzinfo=UTC)
ISO = "iso27001-2022"


@pytest.fixture
def ms():  # type: ignore[no-untyped-def]
    return load_layered_mappings([REPO / "mappings", ORG / "mappings"], load_library(REPO / "controls"))


def org_args(*extra: str | Path) -> list[str | Path]:
    return ["--library", ORG, "--results", ORG / "results.json", "--evidence", ORG / "evidence", *extra]


def test_attestations_are_judged_at_as_of(ms) -> None:  # type: ignore[no-untyped-def]
    attestations, when = load_attestations(ORG / "evidence", ms.catalogs)
    assert when == AS_OF  # the evidence's own instant
    states = {a.id: a.state(when) for a in attestations}
    assert states == {"ATT-2025-009": "expired", "ATT-2026-001": "valid", "ATT-2026-002": "valid",
                      "ATT-2026-003": "valid"}
    early = datetime(2026, 3, 1, tzinfo=UTC)  # before ATT-2026-001 was made
    assert next(a for a in attestations if a.id == "ATT-2026-001").state(early) == "future"


def test_coverage_separates_automated_attested_uncovered_excluded(ms) -> None:  # type: ignore[no-untyped-def]
    statuses = control_statuses(Results.read(ORG / "results.json"))
    attestations, when = load_attestations(ORG / "evidence", ms.catalogs)
    cov = coverage(ms, ISO, statuses, attestations, when)
    by_id = {c.clause.id: c for c in cov.clauses}
    assert {c.clause.id for c in cov.excluded} == {"A.7.1", "A.7.2", "A.7.3", "A.7.4"}
    assert by_id["A.7.5"].applicable and by_id["A.7.5"].implementation == "uncovered"
    assert by_id["A.5.1"].implementation == "attested" and by_id["A.5.1"].status == "gap"  # never a pass
    assert by_id["9.2"].implementation == "attested"
    assert by_id["A.5.35"].implementation == "uncovered"  # its only attestation expired
    assert by_id["A.8.32"].implementation == "automated"
    assert by_id["A.5.2"].implementation == "uncovered"  # supporting controls only
    counts = cov.counts()
    assert counts.applicable == counts.automated + counts.attested + counts.uncovered
    assert counts.clauses == counts.applicable + counts.excluded == 116
    assert (counts.excluded, counts.attested) == (4, 4)
    assert counts.automated == counts.automated_pass + counts.automated_fail + sum(
        1 for c in cov.clauses if c.implementation == "automated" and c.status == "not_evaluated")


def test_soa_coverage_and_report_figures_agree(cli, ms) -> None:  # type: ignore[no-untyped-def]
    statuses = control_statuses(Results.read(ORG / "results.json"))
    attestations, when = load_attestations(ORG / "evidence", ms.catalogs)
    annex = coverage_counts(ms, ISO, statuses, attestations, when, groups=("A",))
    whole = coverage_counts(ms, ISO, statuses, attestations, when)

    result = cli("mappings", "soa", "--format", "csv", *org_args())
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 93 == annex.clauses  # every Annex A control, nothing else
    assert rows[0]["control"] == "A.5.1" and rows[-1]["control"] == "A.8.34"
    kinds = Counter(r["implementation"] for r in rows)
    assert kinds == {"automated control": annex.automated, "attested": annex.attested, "gap": annex.uncovered,
                     "not applicable": annex.excluded}
    assert (annex.excluded, annex.attested) == (4, 2)
    excluded = {r["control"]: r for r in rows if r["applicable"] == "no"}
    assert excluded["A.7.4"]["owner"] == "Facilities lead" and excluded["A.7.4"]["review date"] == "2027-01-31"
    assert excluded["A.7.1"]["justification"].startswith("No premises of our own")
    a51 = next(r for r in rows if r["control"] == "A.5.1")
    assert "ATT-2026-001 by Dana Chief <dana.chief@example.org>, expires 2027-03-12 (valid" in a51["implemented by"]
    a832 = next(r for r in rows if r["control"] == "A.8.32")
    assert f"SOD-001 (full, {statuses['SOD-001']})" in a832["implemented by"]

    md = cli("mappings", "soa", "--format", "markdown", *org_args()).out
    assert (f"93 controls: {annex.applicable} applicable, {annex.excluded} not applicable. Of the applicable: "
            f"{annex.automated} automated ({annex.automated_pass} passing, {annex.automated_fail} failing), "
            f"{annex.attested} attested, {annex.uncovered} uncovered.") in md

    doc = json.loads(cli("mappings", "coverage", "--framework", ISO, "--format", "json", *org_args()).out)
    assert {k: doc["applicability"][k] for k in whole.to_dict()} == whole.to_dict()
    assert [e["id"] for e in doc["excluded"]] == ["A.7.1", "A.7.2", "A.7.3", "A.7.4"]
    table = cli("mappings", "coverage", "--framework", ISO, "--format", "markdown", *org_args()).out
    assert (f"Applicable {whole.applicable} of 116 clauses (4 excluded); of the applicable: automated "
            f"{whole.automated}, attested {whole.attested}, uncovered {whole.uncovered}") in table
    assert "## Excluded (declared not applicable)" in table and "No offices, rooms or facilities" in table


def test_a_later_as_of_expires_attestations(cli) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(
        cli("mappings", "soa", "--format", "csv", *org_args("--as-of", "2027-04-01T00:00:00Z")).out)))
    a51 = next(r for r in rows if r["control"] == "A.5.1")
    assert a51["implementation"] == "gap" and "(expired;" in a51["implemented by"]
    assert next(r for r in rows if r["control"] == "A.6.3")["implementation"] == "attested"


def test_soa_pdf_is_deterministic_and_needs_output(cli, tmp_path: Path, ms) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "soa.pdf"
    result = cli("mappings", "soa", "--format", "pdf", "-o", out, *org_args())
    assert result.code == 0, result.err
    first = out.read_bytes()
    assert first.startswith(b"%PDF")
    cli("mappings", "soa", "--format", "pdf", "-o", out, *org_args())
    assert out.read_bytes() == first
    refused = cli("mappings", "soa", "--format", "pdf", *org_args())
    assert refused.code == 2 and "needs -o/--output" in refused.err
    results = Results.read(ORG / "results.json")
    attestations, when = load_attestations(ORG / "evidence", ms.catalogs)
    assert to_pdf(build_soa(coverage(ms, ISO, control_statuses(results), attestations, when), results.run_id)) == first


def test_attestation_for_unknown_clause_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    doc = json.loads((ORG / "evidence" / "attestations.json").read_text())
    doc["items"][1]["clauses"] = ["A.6.99"]
    (evidence / "attestations.json").write_text(json.dumps(doc))
    result = cli("mappings", "soa", "--library", ORG, "--evidence", evidence)
    assert result.code == 2
    assert "attestations.json: items[1] (ATT-2026-002).clauses[0]: unknown iso27001-2022 clause 'A.6.99'" in result.err
    doc["items"][1]["clauses"] = ["A.6.3"]
    doc["items"][1]["expires_at"] = "2026-01-01T00:00:00Z"
    (evidence / "attestations.json").write_text(json.dumps(doc))
    result = cli("mappings", "soa", "--library", ORG, "--evidence", evidence)
    assert result.code == 2 and "items[1] (ATT-2026-002).expires_at" in result.err
    del doc["items"][1]["attester"]
    (evidence / "attestations.json").write_text(json.dumps(doc))
    result = cli("mappings", "soa", "--library", ORG, "--evidence", evidence)
    assert result.code == 2 and "attester" in result.err


def test_attestations_loader_refuses_unknown_framework(tmp_path: Path, ms) -> None:  # type: ignore[no-untyped-def]
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    doc = json.loads((ORG / "evidence" / "attestations.json").read_text())
    doc["items"][0]["framework"] = "iso27001-2013"
    (evidence / "attestations.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"items\[0\] \(ATT-2026-001\)\.framework: found 'iso27001-2013'"):
        load_attestations(evidence, ms.catalogs)


def test_every_surface_counts_the_same_applicable_clauses(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The example organisation run for real: results.json's coverage, `mappings coverage`, the SoA, board.md,
    the board PDF and the evidence report PDF give the same figures (coverage_counts), excluded clauses with
    their justification, automated, attested and uncovered apart."""
    import shutil

    from auditor.mappings.coverage import coverage_section
    from tests.report.conftest import pdf_pages

    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / "evidence" / "examples" / "demo", evidence)
    shutil.copy(ORG / "evidence" / "attestations.json", evidence)
    out = tmp_path / "out"
    run = cli("run", "--evidence", evidence, "--library", ORG, "--out-dir", out, "--no-pack")
    assert run.code in (0, 1), run.err
    results = read_results(out / "results.json")
    ms = load_layered_mappings([REPO / "mappings", ORG / "mappings"], load_library(REPO / "controls"))
    statuses = control_statuses(Results.from_dict(results, out / "results.json"))
    attestations, when = load_attestations(evidence, ms.catalogs)
    assert when == AS_OF
    whole = coverage_counts(ms, ISO, statuses, attestations, when)
    annex = coverage_counts(ms, ISO, statuses, attestations, when, groups=("A",))
    assert (whole.excluded, whole.attested) == (4, 4) and whole.applicable == 112
    assert whole.automated == 22 and whole.uncovered == 112 - 22 - 4  # with the AWS controls (SEC-009..018)

    # results.json: every framework, the same function's figures
    recorded = results["coverage"]
    assert recorded == coverage_section(ms, statuses, attestations, when)
    assert {k: recorded[ISO][k] for k in whole.to_dict()} == whole.to_dict()
    assert [e["id"] for e in recorded[ISO]["excluded_clauses"]] == ["A.7.1", "A.7.2", "A.7.3", "A.7.4"]
    assert recorded[ISO]["excluded_clauses"][0]["justification"].startswith("No premises of our own")

    # mappings coverage and the SoA, from the same results and evidence
    args = ("--library", ORG, "--results", out / "results.json", "--evidence", evidence)
    doc = json.loads(cli("mappings", "coverage", "--framework", ISO, "--format", "json", *args).out)
    assert {k: doc["applicability"][k] for k in whole.to_dict()} == whole.to_dict()
    rows = list(csv.DictReader(io.StringIO(cli("mappings", "soa", "--format", "csv", *args).out)))
    assert Counter(r["implementation"] for r in rows) == {
        "automated control": annex.automated, "attested": annex.attested, "gap": annex.uncovered,
        "not applicable": annex.excluded}

    # the board, in Markdown and PDF, and the evidence report
    def share(n: int) -> str:
        return f"{n * 100 / whole.applicable:.0f}%"

    row = (f"| ISO/IEC 27001:2022 | {whole.applicable} of {whole.clauses} ({whole.excluded} excl.) | "
           f"{whole.automated} ({share(whole.automated)}) | {whole.automated_pass} ({share(whole.automated_pass)}) | "
           f"{whole.attested} ({share(whole.attested)}) | {whole.uncovered} ({share(whole.uncovered)}) |")
    board_md = (out / "board.md").read_text()
    assert row in board_md
    assert "Declared not applicable (in no denominator; justified in the evidence report and the SoA): " \
           "ISO/IEC 27001:2022 A.7.1, A.7.2, A.7.3, A.7.4." in " ".join(board_md.split())
    board_pdf = " ".join(" ".join(pdf_pages((out / "board.pdf").read_bytes())).split())
    assert " ".join(c.strip() for c in row.strip("|").split("|")) in board_pdf
    assert len(pdf_pages((out / "board.pdf").read_bytes())) == 2
    report = " ".join(" ".join(pdf_pages((out / "evidence-report.pdf").read_bytes())).split())
    assert (f"ISO/IEC 27001:2022 {whole.clauses} {whole.excluded} {whole.applicable} {whole.automated} "
            f"({share(whole.automated)}) {whole.automated_pass} {whole.automated_fail} {whole.attested} "
            f"({share(whole.attested)}) {whole.uncovered} ({share(whole.uncovered)})") in report
    assert "ISO/IEC 27001:2022 A.7.4 Physical security monitoring No premises to monitor" in report
    assert "20 of 116 (17%)" not in report  # clauses are never counted against excluded ones
