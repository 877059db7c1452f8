"""``auditor report evidence|board`` and the reports ``auditor run`` writes."""

from __future__ import annotations

from pathlib import Path

from tests.report.conftest import BASIC_RESULTS, pdf_pages
from tests.report.synthetic import small_run, write_locker


def test_report_evidence_command(cli, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "r" / "evidence.pdf"
    result = cli("report", "evidence", "--results", BASIC_RESULTS, "--org", "Example Ltd", "--out", out)
    assert result.code == 0, result.err
    text = "\n".join(pdf_pages(out.read_bytes()))
    assert "Example Ltd" in text and "SEC-001" in text
    assert "ISO/IEC 27001:2022" in text  # the bundled catalogs are found by default


def test_report_board_pdf_and_markdown(cli, tmp_path):  # type: ignore[no-untyped-def]
    locker = write_locker(tmp_path / "locker", [small_run("r1", "2026-11-01T10:00:00Z", 3, 1, True)])
    out = tmp_path / "board.pdf"
    result = cli("report", "board", "--results", BASIC_RESULTS, "--locker", locker, "--out", out, "--runs", "5")
    assert result.code == 0, result.err
    pages = pdf_pages(out.read_bytes())
    assert len(pages) <= 2
    assert "over the last 2 runs: 2026-11-01 75%" in " ".join("\n".join(pages).split())
    gone = cli("report", "board", "--results", BASIC_RESULTS, "--error-budget-target", "0.5")
    assert gone.code == 2  # the run-count "error budget" is replaced by the services' real budgets
    md = cli("report", "board", "--results", BASIC_RESULTS, "--format", "markdown")
    assert md.code == 0
    assert md.out.startswith("# Compliance proof points: the organisation")


def test_report_rejects_a_file_that_is_not_results(cli, tmp_path):  # type: ignore[no-untyped-def]
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    out = tmp_path / "e.pdf"
    result = cli("report", "evidence", "--results", bogus, "--out", out)
    assert result.code == 2
    assert "not an Auditor results file" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_run_writes_the_reports(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    out_dir = tmp_path / "out"
    result = cli("run", "--evidence", evidence, "--controls", library / "controls", "--policies",
                 library / "policies", "--schemas", fixtures / "schemas", "--mappings", fixtures / "mappings-empty",
                 "--out-dir", out_dir)
    assert result.code == 1, result.err
    for name in ("results.json", "evidence-report.pdf", "board.pdf", "board.md"):
        assert (out_dir / name).is_file(), name
    assert "SEC-001" in "\n".join(pdf_pages((out_dir / "evidence-report.pdf").read_bytes()))
    assert "Top risks" in (out_dir / "board.md").read_text()


def test_run_on_the_demo_names_the_demo_organisation(cli, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli("run", "--out-dir", Path("out"))
    assert result.code in (0, 1), result.err
    first = pdf_pages((tmp_path / "out" / "board.pdf").read_bytes())[0]
    assert "Brightwater Financial" in first and "DEVELOPMENT-SIGNED PACK" in first
    assert "owner Kwame Mensah" in " ".join(first.split())  # services, read from the evidence folder the run read
    renamed = cli("run", "--out-dir", Path("out2"), "--org", "Acme Mutual")
    assert renamed.code in (0, 1), renamed.err
    assert (tmp_path / "out2" / "board.md").read_text().startswith("# Compliance proof points: Acme Mutual")
