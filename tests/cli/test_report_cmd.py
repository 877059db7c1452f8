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
    # neither --org nor the evidence names the organisation: the board says so, it does not invent one
    assert md.out.startswith("# Compliance proof points: Organisation not named\n")
    assert "The evidence does not name the organisation (no document sets 'organisation') and no --org" in md.out


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


def test_the_organisation_comes_from_the_evidence_and_org_overrides_it(cli, tmp_path):  # type: ignore[no-untyped-def]
    """One name in results.json, the board PDF, board.md and the evidence report; --org wins; never invented."""
    import shutil

    import orjson

    from tests.conftest import REPO

    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / "evidence" / "examples" / "demo", evidence)
    result = cli("run", "--evidence", evidence, "--out-dir", tmp_path / "out", "--no-pack")
    assert result.code in (0, 1), result.err
    results = orjson.loads((tmp_path / "out" / "results.json").read_bytes())
    named = {e["path"]: e.get("organisation") for e in results["evidence"]}
    assert named["services.json"] == "Brightwater Financial"  # the service catalogue names it
    assert named["incidents.json"] is None  # the other documents do not have to
    board_pdf = " ".join(" ".join(pdf_pages((tmp_path / "out" / "board.pdf").read_bytes())).split())
    report = " ".join(" ".join(pdf_pages((tmp_path / "out" / "evidence-report.pdf").read_bytes())).split())
    assert (tmp_path / "out" / "board.md").read_text().startswith("# Compliance proof points: Brightwater Financial\n")
    assert "Brightwater Financial: run" in board_pdf and "Organisation Brightwater Financial" in report
    again = cli("report", "evidence", "--results", tmp_path / "out" / "results.json", "--evidence", evidence,
                "--org", "Acme Mutual", "--out", tmp_path / "acme.pdf")
    assert again.code == 0, again.err
    acme = " ".join(" ".join(pdf_pages((tmp_path / "acme.pdf").read_bytes())).split())
    assert "Organisation Acme Mutual" in acme and "Brightwater Financial" not in acme
    # without a name in the evidence (and no --org), every report says it is not named
    doc = orjson.loads((evidence / "services.json").read_bytes())
    del doc["organisation"]
    (evidence / "services.json").write_bytes(orjson.dumps(doc))
    bare = cli("run", "--evidence", evidence, "--out-dir", tmp_path / "bare", "--no-pack")
    assert bare.code in (0, 1), bare.err
    assert (tmp_path / "bare" / "board.md").read_text().startswith("# Compliance proof points: Organisation not named")
    bare_report = " ".join(" ".join(pdf_pages((tmp_path / "bare" / "evidence-report.pdf").read_bytes())).split())
    assert "Organisation Organisation not named: The evidence does not name the organisation" in bare_report
    assert "Brightwater Financial" not in bare_report


def test_two_organisation_names_in_the_evidence_exit_2(cli, tmp_path):  # type: ignore[no-untyped-def]
    import shutil

    import orjson

    from tests.conftest import REPO

    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / "evidence" / "examples" / "demo", evidence)
    doc = orjson.loads((evidence / "incidents.json").read_bytes())
    doc["organisation"] = "Brightwater Bank"
    (evidence / "incidents.json").write_bytes(orjson.dumps(doc))
    result = cli("run", "--evidence", evidence, "--out-dir", tmp_path / "out", "--no-pack")
    assert result.code == 2
    assert ("incidents.json names the organisation 'Brightwater Bank' but services.json names 'Brightwater "
            "Financial'; expected one organisation per run") in " ".join(result.err.split())
    assert not (tmp_path / "out" / "results.json").exists()
    doc["organisation"] = "   "
    (evidence / "incidents.json").write_bytes(orjson.dumps(doc))
    blank = cli("run", "--evidence", evidence, "--out-dir", tmp_path / "out", "--no-pack")
    assert blank.code == 2 and "organisation" in blank.err


def test_report_commands_render_what_the_run_rendered(cli, tmp_path):  # type: ignore[no-untyped-def]
    """`auditor report board|evidence` over a run's results.json and evidence give the run's own bytes:
    both assemble their inputs (organisation, period, catalogs, documents) through one function."""
    from tests.conftest import REPO

    evidence = REPO / "evidence" / "examples" / "demo"
    out = tmp_path / "out"
    result = cli("run", "--evidence", evidence, "--out-dir", out, "--no-pack", "--period-days", "30")
    assert result.code in (0, 1), result.err
    board = cli("report", "board", "--results", out / "results.json", "--evidence", evidence, "--format", "markdown",
                "--period-days", "30", "--out", tmp_path / "board.md")
    assert board.code == 0, board.err
    assert (tmp_path / "board.md").read_bytes() == (out / "board.md").read_bytes()
    report = cli("report", "evidence", "--results", out / "results.json", "--evidence", evidence,
                 "--period-days", "30", "--out", tmp_path / "evidence-report.pdf")
    assert report.code == 0, report.err
    assert (tmp_path / "evidence-report.pdf").read_bytes() == (out / "evidence-report.pdf").read_bytes()
    other = cli("report", "board", "--results", out / "results.json", "--evidence", evidence, "--format", "markdown",
                "--period-days", "7", "--out", tmp_path / "week.md")
    assert other.code == 0, other.err
    assert (tmp_path / "week.md").read_bytes() != (out / "board.md").read_bytes()  # the period is read
