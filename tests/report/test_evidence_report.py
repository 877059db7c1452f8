from __future__ import annotations

import base64
import copy
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from auditor.errors import InputError
from auditor.report.evidence_report import VIOLATIONS_SHOWN, EvidenceReport
from auditor.report.pack_info import read_pack_info
from tests.report.conftest import outline_titles, pdf_pages


def render(results: dict[str, Any], **kwargs: Any) -> bytes:
    return EvidenceReport(results, **kwargs).render()


def test_cover_fields_metadata_and_footer(basic_results: dict[str, Any]) -> None:
    data = render(basic_results, org="Example Ltd")
    pages = pdf_pages(data)
    cover = pages[0]
    run_id = basic_results["run_id"]
    for expected in ("Evidence report", "Example Ltd", run_id, "regorus 0.13.0", "2026-11-19 08:00:00 UTC",
                     "not packed: results are unsigned", "auditor verify"):
        assert expected in cover, expected
    for number, text in enumerate(pages, start=1):
        assert f"run {run_id}" in text, f"footer missing on page {number}"
        assert f"page {number} of {len(pages)}" in text
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta.title == f"Evidence report: Example Ltd, run {run_id}"
    assert meta.author == "Auditor for Example Ltd"
    assert "evidence report" in (meta.subject or "").lower()


def test_control_sections_toc_and_outline(basic_results: dict[str, Any]) -> None:
    data = render(basic_results)
    pages = pdf_pages(data)
    text = "\n".join(pages)
    contents = next(p for p in pages if "Contents" in p and "Summary" in p)
    for control in basic_results["controls"]:
        assert f"{control['id']} {control['title']}" in contents
        assert control["objective"] in text
        assert control["owner"] in text
    # section content of a failing control: status with reason, violations, evidence digest and parameters
    assert "fail: 2 violations" in text
    assert "Gadget g-2 is not encrypted at rest." in text
    assert "max_age_days = 90" in text
    gadgets = next(e for e in basic_results["evidence"] if e["path"] == "gadgets.json")
    assert gadgets["sha256"][:30] in text.replace("\n", "")
    titles = outline_titles(data)
    assert {"Summary", "Controls", "Appendix A: Mapping matrix", "Appendix B: Evidence inventory",
            "Appendix C: Collection errors"} <= set(titles)
    assert "SEC-001  Gadgets are encrypted at rest" in titles
    # TOC page numbers point at the page where the section starts
    # the dots and page number are drawn (and so extracted) just before the entry's title
    match = re.search(r"[ .]+(\d+)\nSEC-002 Gadgets are not older than the allowed age", contents)
    assert match is not None
    assert "SEC-002 Gadgets are not older" in pages[int(match.group(1)) - 1]


def test_no_mappings_no_pack_degrades_gracefully(basic_results: dict[str, Any]) -> None:
    text = "\n".join(pdf_pages(render(basic_results)))
    assert "No framework catalogs or mappings were available" in text
    assert "Not mapped to any framework clause." in text
    assert "No waivers were declared." in text  # results always list the waivers judged, here none
    older = {k: v for k, v in basic_results.items() if k != "exceptions"}  # results written before waivers
    assert "Appendix D" not in "\n".join(pdf_pages(render(older)))


def test_framework_summary_from_catalogs(basic_results: dict[str, Any], catalogs: Any) -> None:
    results = copy.deepcopy(basic_results)
    sec1 = next(c for c in results["controls"] if c["id"] == "SEC-001")
    priv = next(c for c in results["controls"] if c["id"] == "PRIV-001")
    sec1["mappings"] = [{"framework": "iso27001-2022", "clause": "A.8.24", "strength": "full", "rationale": "crypto"}]
    priv["mappings"] = [{"framework": "iso27001-2022", "clause": "A.5.33", "strength": "partial", "rationale": "r"}]
    text = "\n".join(pdf_pages(render(results, catalogs=catalogs)))
    total = len(catalogs.catalogs["iso27001-2022"].clauses)
    assert f"2 of {total}" in text  # two clauses covered
    assert "1 of 2 (50%)" in text  # A.5.33 passes (PRIV-001 passes), A.8.24 does not
    assert "SEC-001 (full, fail)" in text
    assert "not covered" in text


def test_markup_characters_are_escaped(basic_results: dict[str, Any]) -> None:
    results = copy.deepcopy(basic_results)
    control = results["controls"][1]
    control["violations"] = [{"resource": "r<1>&", "message": "bad <b>bold</b> & <unclosed tag"}]
    control["title"] = "Title with <angle> & ampersand"
    text = "\n".join(pdf_pages(render(results, org="A & B <Ltd>")))
    assert "bad <b>bold</b> & <unclosed tag" in text
    assert "Title with <angle> & ampersand" in text
    assert "A & B <Ltd>" in text


def test_violations_truncated_with_total(basic_results: dict[str, Any]) -> None:
    results = copy.deepcopy(basic_results)
    control = results["controls"][1]
    control["violations"] = [{"resource": f"res-{n:03d}", "message": f"m{n}"} for n in range(120)]
    control["violation_count"] = 120
    text = "\n".join(pdf_pages(render(results)))
    assert f"res-{VIOLATIONS_SHOWN - 1:03d}" in text
    assert f"res-{VIOLATIONS_SHOWN:03d}" not in text
    assert f"Showing the first {VIOLATIONS_SHOWN} of 120 violations" in text


def test_waivers_and_exceptions_rendered_when_present(basic_results: dict[str, Any]) -> None:
    results = copy.deepcopy(basic_results)
    control = results["controls"][2]
    control["status"] = "waived"
    control["waived"] = [{"resource": "g-3", "message": "old gadget", "exception": {
        "id": "EX-42", "reason": "replacement ordered", "approver": "CISO", "expires": "2026-12-01",
        "ticket": "SEC-9"}}]
    results["exceptions"] = [{"id": "EX-42", "control": "SEC-002", "expires": "2026-12-01", "status": "applied"},
                             {"id": "EX-7", "control": "SEC-001", "expires": "2026-01-01", "status": "expired",
                              "reason_not_applied": "expired on 2026-01-01"}]
    text = "\n".join(pdf_pages(render(results)))
    assert "Waived findings (1)" in text
    assert "EX-42" in text and "replacement ordered" in text
    assert "Appendix D: Waivers" in text
    assert "expired on 2026-01-01" in text


def test_appendix_d_says_why_each_waiver_was_or_was_not_applied(library: Path, evidence: Path) -> None:
    """From a real run's judgements (results.json exceptions[].detail): an auditor sees why a waiver
    was refused (self-approval, no approver, expired), not an empty column."""
    from tests.ci_helpers import ci_document

    results = ci_document(library, evidence)
    judged = {e["id"]: e for e in results["exceptions"]}
    assert {e["status"] for e in judged.values()} >= {"applied", "not_applied", "expired"}
    text = " ".join(" ".join(pdf_pages(render(results))).split())
    appendix = text[text.rindex("Appendix D: Waivers"):]
    for waiver in judged.values():
        assert " ".join(waiver["detail"].split()) in appendix, waiver["id"]


def _pack(tmp_path: Path, keyid: str | None) -> Path:
    path = tmp_path / "pack.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("results.json", "{}")
        if keyid:
            statement = {"predicate": {"run_id": "x"}}
            envelope = {"payloadType": "application/vnd.in-toto+json",
                        "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
                        "signatures": [{"keyid": keyid, "sig": "AAAA"}]}
            archive.writestr("signature/attestation.dsse.json", json.dumps(envelope))
    return path


def test_pack_digest_and_masked_signer(basic_results: dict[str, Any], tmp_path: Path) -> None:
    pack = read_pack_info(_pack(tmp_path, "a" * 60 + "beef"))
    assert pack.signed and pack.key_id == "...beef"
    text = "\n".join(pdf_pages(render(basic_results, pack=pack)))
    assert pack.sha256[:30] in text.replace("\n", "")
    assert "...beef" in text
    assert "a" * 20 not in text  # the key id is masked
    assert "sha256sum pack.zip" in text


def test_unsigned_pack_says_so(basic_results: dict[str, Any], tmp_path: Path) -> None:
    pack = read_pack_info(_pack(tmp_path, None))
    assert not pack.signed
    text = "\n".join(pdf_pages(render(basic_results, pack=pack)))
    assert "unsigned" in text


def test_not_a_pack(tmp_path: Path) -> None:
    bogus = tmp_path / "pack.zip"
    bogus.write_text("not a zip")
    with pytest.raises(InputError, match="not a zip archive"):
        read_pack_info(bogus)


def test_deterministic_bytes(basic_results: dict[str, Any]) -> None:
    assert render(basic_results) == render(basic_results)


@pytest.mark.slow
def test_200_controls_10000_violations(big_results: dict[str, Any], catalogs: Any) -> None:
    data = render(big_results, org="Big Ltd", catalogs=catalogs)
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() or "" for p in reader.pages]
    text = "\n".join(pages)
    assert len(pages) > 100
    for control in big_results["controls"]:
        assert control["id"] in text
    biggest = max(c["violation_count"] for c in big_results["controls"])
    assert f"Showing the first 50 of {biggest} violations" in " ".join(text.split())
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page
    # nothing drawn outside the page: every text run's x position lies within the A4 width
    from auditor.report.pdf_common import PAGE_WIDTH

    def visitor(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            assert 0 <= x < PAGE_WIDTH - 30, (text, x)

    for page in reader.pages[::25]:
        page.extract_text(visitor_text=visitor)
