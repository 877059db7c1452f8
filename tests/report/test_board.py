from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from auditor.errors import InputError
from auditor.report.board import build_board, render_board_pdf
from auditor.report.board_markdown import render_board_markdown
from auditor.report.history import load_history
from tests.report.conftest import outline_titles, pdf_pages
from tests.report.synthetic import small_run, write_locker


def _locker(tmp_path: Path) -> Path:
    runs = [
        small_run("20261101T100000Z-aaaa0001", "2026-11-01T10:00:00Z", 5, 5, critical_fail=True),
        small_run("20261105T100000Z-aaaa0002", "2026-11-05T10:00:00Z", 6, 4, critical_fail=False),
        small_run("20261110T100000Z-aaaa0003", "2026-11-10T10:00:00Z", 8, 2, critical_fail=False),
    ]
    return write_locker(tmp_path / "locker", runs)


def test_headline_figures_without_history(basic_results: dict[str, Any]) -> None:
    summary = build_board(basic_results)
    assert (summary.passing, summary.total) == (1, 3)
    assert summary.critical_not_met == []  # PRIV-001 is the critical one, and it passes
    assert summary.previous is None and len(summary.trend) == 1
    assert [r.id for r in summary.top_risks] == ["SEC-001", "SEC-002"]  # high before medium
    # a results.json from before controls carried impact: the objective stands in, said as such
    assert summary.top_risks[0].impact == "Unproven or failing: Every gadget stores its data encrypted at rest."
    assert summary.services is None and summary.models is None
    text = "\n".join(pdf_pages(render_board_pdf(summary)))
    assert "33%" in text and "first recorded run" in text
    assert "No history yet" in text
    assert "No framework catalogs or mappings were available" in text
    assert "no service headline can be shown" in text and "read no model registry" in text
    assert "Not packed" in text


def test_top_risks_quote_the_controls_impact_with_owner_and_due_date(basic_results: dict[str, Any]) -> None:
    results = copy.deepcopy(basic_results)  # as_of 2026-11-20
    sec1 = next(c for c in results["controls"] if c["id"] == "SEC-001")
    sec1["impact"] = "Anyone who copies a gadget's disk reads everything on it."
    results["exceptions"] = [{"id": "EX-9", "control": "SEC-002", "expires": "2026-12-03", "status": "applied"}]
    summary = build_board(results)
    risks = {r.id: r for r in summary.top_risks}
    assert risks["SEC-001"].impact == "Anyone who copies a gadget's disk reads everything on it."
    assert (risks["SEC-001"].due, risks["SEC-001"].due_basis) == ("2026-12-20", "30-day target")  # high: 30 days
    assert (risks["SEC-002"].due, risks["SEC-002"].due_basis) == ("2026-12-03", "waiver expires")
    text = "\n".join(pdf_pages(render_board_pdf(summary)))
    assert "Anyone who copies a gadget" in text and "2026-12-03" in text


def test_history_direction_and_trend(basic_results: dict[str, Any], tmp_path: Path) -> None:
    history = load_history(_locker(tmp_path))
    assert [p.run_id[-4:] for p in history] == ["0001", "0002", "0003"]
    results = copy.deepcopy(basic_results)
    results["finished_at"] = "2026-11-24T10:00:00Z"
    priv = next(c for c in results["controls"] if c["id"] == "PRIV-001")
    priv["status"] = "fail"  # the critical control now fails
    summary = build_board(results, history=history, runs=3)
    assert summary.previous is not None and summary.previous.run_id.endswith("0003")
    assert summary.direction() == "down 80 points since the last run (2026-11-10)"  # 80% -> 0%
    assert [p.run_id[-4:] for p in summary.trend] == ["0002", "0003", results["run_id"][-4:]]
    assert [r.id for r in summary.critical_not_met] == ["PRIV-001"]
    assert "Approve the fix of 1 critical control (PRIV-001) by 2026-12-04" in summary.decisions[0].ask
    text = " ".join(" ".join(pdf_pages(render_board_pdf(summary))).split())
    assert "-80 pts" in text
    assert "over the last 3 runs: 2026-11-05 60%, 2026-11-10 80%, 2026-11-24 0%" in text
    # the board's error budget is the services', not a count of audit runs
    assert "of the last 3 runs (" not in text and "read no service catalogue" in text


def test_current_run_already_in_locker_is_not_counted_twice(basic_results: dict[str, Any], tmp_path: Path) -> None:
    locker = write_locker(tmp_path / "locker", [basic_results])
    summary = build_board(basic_results, history=load_history(locker))
    assert len(summary.trend) == 1 and summary.previous is None


def test_missing_locker_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="locker folder not found"):
        load_history(tmp_path / "nope")


def test_corrupt_history_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "locker/runs/2026-11-01/r1/results.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    with pytest.raises(InputError, match="malformed JSON"):
        load_history(tmp_path / "locker")


def test_a_damaged_run_in_the_history_is_exit_2_naming_the_run_and_field(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    locker = _locker(tmp_path)
    damaged = locker / "runs/2026-11-05/20261105T100000Z-aaaa0002/results.json"
    document = json.loads(damaged.read_text())
    del document["controls"][2]["severity"]  # was read as "not critical"
    damaged.write_text(json.dumps(document))
    with pytest.raises(InputError, match=rf"^{damaged}: controls\[2\]\.severity: required field is missing$"):
        load_history(locker)
    current = tmp_path / "results.json"
    current.write_text(json.dumps(small_run("20261120T100000Z-aaaa0004", "2026-11-20T10:00:00Z", 9, 1, False)))
    out = tmp_path / "board.md"
    result = cli("report", "board", "--results", current, "--locker", locker, "--format", "markdown", "--out", out)
    assert result.code == 2, result.err
    assert f"{damaged}: controls[2].severity: required field is missing" in result.err
    assert "Traceback" not in result.err and not out.exists()


def test_expiring_exceptions_and_insufficient_evidence(basic_results: dict[str, Any]) -> None:
    results = copy.deepcopy(basic_results)  # as_of 2026-11-20
    results["exceptions"] = [
        {"id": "EX-1", "control": "SEC-001", "expires": "2026-12-01", "status": "applied"},
        {"id": "EX-2", "control": "SEC-002", "expires": "2027-06-01", "status": "applied"},
        {"id": "EX-3", "control": "SEC-002", "expires": "2026-11-10", "status": "expired"},
    ]
    results["controls"][0]["status"] = "insufficient_evidence"
    summary = build_board(results)
    assert [(e.id, e.days_left) for e in summary.expiring] == [("EX-3", -10), ("EX-1", 11)]
    assert [r.id for r in summary.insufficient] == ["PRIV-001"]
    assert [r.id for r in summary.critical_not_met] == ["PRIV-001"]  # fail closed: unproven is not met
    text = " ".join(" ".join(pdf_pages(render_board_pdf(summary))).split())  # wrapping folded
    assert "EX-1" in text and "in 11 days" in text and "expired 10 days ago" in text
    assert "EX-2" not in text
    assert "1 controls cannot be proven for lack of evidence: PRIV-001" in text


def test_board_pdf_metadata_outline_and_footer(basic_results: dict[str, Any]) -> None:
    data = render_board_pdf(build_board(basic_results, org="Example Ltd"))
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title.startswith("Compliance proof points: Example Ltd")
    assert reader.metadata.author == "Auditor for Example Ltd"
    assert {"Services", "Controls mapped to standards", "AI proof points", "Top risks",
            "Decisions asked of the board"} <= set(outline_titles(data))
    pages = pdf_pages(data)
    for number, text in enumerate(pages, start=1):
        assert basic_results["run_id"] in text and f"page {number} of {len(pages)}" in text


def test_big_run_fits_two_pages(big_results: dict[str, Any], catalogs: Any, tmp_path: Path) -> None:
    history = load_history(_locker(tmp_path))
    data = render_board_pdf(build_board(big_results, history=history, catalogs=catalogs, org="Big Ltd"))
    pages = pdf_pages(data)
    assert len(pages) == 2
    text = "\n".join(pages)
    for name in ("ISO/IEC 27001:2022", "UK Government Service", "NIST AI Risk"):
        assert name in text
    assert "and 18 more" in " ".join(text.split())  # expiring exceptions beyond the three the board names


def test_markdown_summary(basic_results: dict[str, Any], tmp_path: Path) -> None:
    results = copy.deepcopy(basic_results)
    results["controls"][1]["title"] = "Pipes | and\nnewlines"
    summary = build_board(results, history=load_history(_locker(tmp_path)), org="Example Ltd")
    md = render_board_markdown(summary)
    assert md.startswith("# Compliance proof points: Example Ltd\n")
    assert "**33% of controls pass** (1 of 3)" in md
    assert "| SEC-001 Pipes \\| and newlines (high) |" in md
    assert "### Trend" in md and "2026-11-01 50%, 2026-11-05 60%" in md
    assert "### Error budgets" in md and summary.budget_sentence() in md
    assert "no trend yet" not in md
